#include "controller/coordination/sequence_tracker.h"

namespace cast::controller {

SequenceTracker::Admission SequenceTracker::admit(std::uint64_t seq) {
  if (seq == 0 || seq <= contiguous_ || beyond_.contains(seq)) {
    // Seq 0 is never assigned; treating it as a duplicate keeps it out of the data.
    ++duplicates_;
    return Admission::duplicate;
  }
  ++accepted_;
  if (seq != contiguous_ + 1) {
    // A new hole opens only when this seq is not adjacent to one already held.
    if (!beyond_.contains(seq - 1)) {
      ++gaps_;
    }
    beyond_.insert(seq);
    return Admission::accepted;
  }
  contiguous_ = seq;
  while (!beyond_.empty() && *beyond_.begin() == contiguous_ + 1) {
    contiguous_ = *beyond_.begin();
    beyond_.erase(beyond_.begin());
  }
  return Admission::accepted;
}

}  // namespace cast::controller
