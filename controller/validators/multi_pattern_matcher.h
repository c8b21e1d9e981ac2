#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cast {

// Aho-Corasick over bytes: every occurrence of any of many fixed strings in
// one pass over the text, so scanning stays linear in the text whatever the
// number of users. Edges live in one hash table rather than 256 slots per
// node, which keeps 10,000 users' emails and names in a few megabytes.
class MultiPatternMatcher {
 public:
  struct Match {
    std::size_t offset{0};
    std::size_t length{0};
    std::size_t id{0};  // as given to add()
  };

  // Empty patterns are ignored. Adding after the first search is an error.
  void add(std::string_view pattern, std::size_t id);
  // Builds the automaton; call after the last add() before searching from
  // several threads. The first search builds it otherwise.
  void freeze() const;
  // Every match, ordered by where it ends; overlapping ones included.
  std::vector<Match> find_all(std::string_view text) const;

 private:
  struct Node {
    std::int32_t fail{0};
    std::int32_t output_link{-1};         // nearest node along the fail chain with patterns
    std::vector<std::uint32_t> patterns;  // indexes into lengths_/ids_
  };
  struct Pattern {
    std::size_t length{0};
    std::size_t id{0};
  };

  std::int32_t edge(std::int32_t node, unsigned char byte) const;
  static std::uint64_t edge_key(std::int32_t node, unsigned char byte) {
    return (static_cast<std::uint64_t>(node) << 8) | byte;
  }

  // Built by freeze(); not thread-safe until then.
  mutable std::vector<Node> nodes_{Node{}};
  mutable std::unordered_map<std::uint64_t, std::int32_t> edges_;
  std::vector<Pattern> patterns_;
  mutable bool built_{false};
};

}  // namespace cast
