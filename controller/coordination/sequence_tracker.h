#pragma once

#include <cstdint>
#include <set>

namespace cast::controller {

// What the controller knows about one worker's event sequence numbers. It
// acknowledges only the gap-free prefix, so a worker never drops an event
// the controller does not hold: whatever is missing gets resent on the next
// reconnect.
class SequenceTracker {
 public:
  enum class Admission { accepted, duplicate };

  // Records `seq`; a seq already held is a duplicate and must be dropped.
  // A seq beyond the prefix is accepted but counted as a gap.
  Admission admit(std::uint64_t seq);

  // Every seq <= this value has been received: what an Ack may name.
  std::uint64_t contiguous() const { return contiguous_; }
  std::uint64_t accepted() const { return accepted_; }
  std::uint64_t duplicates() const { return duplicates_; }
  std::uint64_t gaps() const { return gaps_; }
  // Seqs received beyond the prefix, waiting for the hole before them.
  std::size_t held_beyond_gap() const { return beyond_.size(); }

 private:
  std::uint64_t contiguous_ = 0;
  std::set<std::uint64_t> beyond_;
  std::uint64_t accepted_ = 0;
  std::uint64_t duplicates_ = 0;
  std::uint64_t gaps_ = 0;
};

}  // namespace cast::controller
