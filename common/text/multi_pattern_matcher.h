#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace cast {

// How a pattern must sit in the text to count as found.
enum class MatchMode : std::uint8_t {
  // Anywhere, glued to anything.
  substring,
  // A whole token: a pattern that begins (ends) with a letter or digit must
  // not be preceded (followed) by one, so `u-000001` is not found in
  // `u-0000012` and `agent-1` not in `agent-17`. Letters and digits are ASCII
  // only; every other byte, non-ASCII included, separates tokens.
  whole_token,
  // A whole token made of the pattern and at least one digit after it; the
  // match covers the digits (`u-000042-r` finds `u-000042-r17`).
  numbered_token,
};

// Aho-Corasick over bytes: every occurrence of any of many fixed strings in
// one pass over the text, linear in the text whatever the number of
// patterns. Built once by a Builder and read-only afterwards, so one
// matcher may be searched from several threads.
class MultiPatternMatcher {
 public:
  struct Match {
    std::size_t offset{0};  // bytes into the searched text
    std::size_t length{0};  // a numbered token includes its digits
    std::size_t id{0};      // as given to Builder::add()
  };

  class Builder {
   public:
    // Empty patterns are ignored; a pattern added twice is reported under
    // each id.
    void add(std::string_view pattern, std::size_t id, MatchMode mode = MatchMode::substring);
    // Leaves the builder empty.
    MultiPatternMatcher build();

   private:
    struct Edge {
      unsigned char label{0};
      std::int32_t target{0};
    };
    friend class MultiPatternMatcher;

    std::vector<std::vector<Edge>> trie_{1};              // sorted child lists per state
    std::vector<std::vector<std::uint32_t>> outputs_{1};  // patterns ending in each state
    std::vector<std::uint32_t> lengths_;
    std::vector<std::size_t> ids_;
    std::vector<MatchMode> modes_;
  };

  // Matches nothing.
  MultiPatternMatcher() : MultiPatternMatcher(Builder{}) {}

  // Appends every match, ordered by where the pattern ends (before a numbered
  // token's digits); overlapping matches are all reported.
  void find_all(std::string_view text, std::vector<Match>& out) const;
  std::vector<Match> find_all(std::string_view text) const;

  std::size_t pattern_count() const { return patterns_.size(); }
  std::size_t state_count() const { return fail_.size(); }

 private:
  struct Pattern {
    std::uint32_t length{0};
    MatchMode mode{MatchMode::substring};
    std::size_t id{0};
  };
  using Edge = Builder::Edge;

  explicit MultiPatternMatcher(Builder&& builder);
  void flatten(const Builder& builder);
  void compute_failure_links(const std::vector<std::vector<Edge>>& trie);
  std::int32_t child(std::int32_t state, unsigned char byte) const;
  std::int32_t step(std::int32_t state, unsigned char byte) const;
  void report(std::string_view text, std::size_t end, std::size_t state, std::vector<Match>& out) const;
  bool accept(const Pattern& pattern, std::string_view text, std::size_t end, Match& match) const;
  bool ends_pattern(std::size_t state) const { return output_begin_[state] != output_begin_[state + 1]; }

  std::vector<Pattern> patterns_;
  // Children of state s are edges_[edge_begin_[s] .. edge_begin_[s + 1]);
  // the root has a dense table because most bytes of a text stop there.
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
