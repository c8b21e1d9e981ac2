#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace cast {

// What an identifying value is; decides the finding's kind and how a match
// must be delimited.
enum class ValueKind : std::uint8_t { user_id, email, display_name, agent_id, request_id };

std::string_view to_string(ValueKind kind);

struct ValueMatch {
  std::size_t offset{0};  // bytes into the scanned text
  std::size_t length{0};  // a request id includes its sequence digits
  std::uint32_t owner{0};
  ValueKind kind{ValueKind::user_id};
};

// Aho-Corasick over every user's identifying values at once: one pass over
// a payload whatever the number of users, never a search per user.
//
// Only whole tokens count: a value that begins (ends) with a letter or
// digit must not be preceded (followed) by one, so `u-000001` is not found
// in `u-0000012` and `agent-1` not in `agent-17`. A request id is its
// user's prefix (`u-000042-r`) followed by at least one digit.
//
// Call add() for every value, then build() once; afterwards the matcher is
// read-only and may be shared by threads.
class ForeignValueMatcher {
 public:
  // Empty values are ignored. Adding after build() is a logic error.
  void add(std::string_view value, std::uint32_t owner, ValueKind kind);
  void build();

  // Appends every whole-token match, ordered by where it ends.
  void find_all(std::string_view text, std::vector<ValueMatch>& out) const;

  std::size_t pattern_count() const { return patterns_.size(); }
  std::size_t state_count() const { return fail_.size(); }

 private:
  struct Pattern {
    std::uint32_t length{0};
    std::uint32_t owner{0};
    ValueKind kind{ValueKind::user_id};
    bool starts_alnum{false};
    bool ends_alnum{false};
  };
  struct Edge {
    unsigned char label{0};
    std::int32_t target{0};
  };

  std::int32_t child(std::int32_t state, unsigned char byte) const;
  std::int32_t step(std::int32_t state, unsigned char byte) const;
  void report(std::string_view text, std::size_t end, std::int32_t state, std::vector<ValueMatch>& out) const;
  void compute_failure_links(const std::vector<std::vector<Edge>>& trie);
  void flatten(const std::vector<std::vector<Edge>>& trie, std::vector<std::vector<std::uint32_t>>& outputs);

  std::vector<Pattern> patterns_;
  // Before build(): the trie as sorted child lists, and patterns per state.
  std::vector<std::vector<Edge>> trie_{1};
  std::vector<std::vector<std::uint32_t>> trie_outputs_{1};
  bool built_{false};

  // After build(): children of state s are edges_[edge_begin_[s] .. edge_begin_[s + 1]);
  // the root has a dense table because most payload bytes stop there.
  std::array<std::int32_t, 256> root_next_{};
  std::vector<std::uint32_t> edge_begin_;
  std::vector<Edge> edges_;
  std::vector<std::int32_t> fail_;
  std::vector<std::int32_t> output_link_;  // nearest state on the fail chain ending a pattern, -1 none
  std::vector<std::uint8_t> reports_;      // 1 when the state or its output link ends a pattern
  std::vector<std::uint32_t> output_begin_;
  std::vector<std::uint32_t> outputs_;  // pattern indexes, grouped by state
};

}  // namespace cast
