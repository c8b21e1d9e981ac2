#include "controller/validators/multi_pattern_matcher.h"

#include <algorithm>
#include <deque>
#include <stdexcept>

namespace cast {

void MultiPatternMatcher::add(std::string_view pattern, std::size_t id) {
  if (built_) {
    throw std::logic_error("MultiPatternMatcher: add() after the first search");
  }
  if (pattern.empty()) {
    return;
  }
  std::int32_t node = 0;
  for (unsigned char byte : pattern) {
    auto [at, inserted] = edges_.try_emplace(edge_key(node, byte), static_cast<std::int32_t>(nodes_.size()));
    if (inserted) {
      nodes_.emplace_back();
    }
    node = at->second;
  }
  nodes_[static_cast<std::size_t>(node)].patterns.push_back(static_cast<std::uint32_t>(patterns_.size()));
  patterns_.push_back({pattern.size(), id});
}

std::int32_t MultiPatternMatcher::edge(std::int32_t node, unsigned char byte) const {
  const auto found = edges_.find(edge_key(node, byte));
  return found == edges_.end() ? -1 : found->second;
}

void MultiPatternMatcher::freeze() const {
  if (built_) {
    return;
  }
  // Children of every node, found once so the breadth-first pass below
  // visits nodes in order of depth.
  std::vector<std::vector<std::pair<unsigned char, std::int32_t>>> children(nodes_.size());
  for (const auto& [key, child] : edges_) {
    children[static_cast<std::size_t>(key >> 8)].emplace_back(static_cast<unsigned char>(key & 0xFF), child);
  }
  std::deque<std::int32_t> queue;
  for (const auto& [byte, child] : children[0]) {
    nodes_[static_cast<std::size_t>(child)].fail = 0;
    queue.push_back(child);
  }
  while (!queue.empty()) {
    const auto node = queue.front();
    queue.pop_front();
    for (const auto& [byte, child] : children[static_cast<std::size_t>(node)]) {
      auto fallback = nodes_[static_cast<std::size_t>(node)].fail;
      while (fallback != 0 && edge(fallback, byte) < 0) {
        fallback = nodes_[static_cast<std::size_t>(fallback)].fail;
      }
      const auto target = edge(fallback, byte);
      auto& entry = nodes_[static_cast<std::size_t>(child)];
      entry.fail = target >= 0 && target != child ? target : 0;
      const auto& fail_node = nodes_[static_cast<std::size_t>(entry.fail)];
      entry.output_link = fail_node.patterns.empty() ? fail_node.output_link : entry.fail;
      queue.push_back(child);
    }
  }
  built_ = true;
}

std::vector<MultiPatternMatcher::Match> MultiPatternMatcher::find_all(std::string_view text) const {
  freeze();
  std::vector<Match> matches;
  std::int32_t node = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    while (node != 0 && edge(node, byte) < 0) {
      node = nodes_[static_cast<std::size_t>(node)].fail;
    }
    node = std::max<std::int32_t>(edge(node, byte), 0);
    for (auto at = node; at > 0; at = nodes_[static_cast<std::size_t>(at)].output_link) {
      for (const auto index : nodes_[static_cast<std::size_t>(at)].patterns) {
        const auto& pattern = patterns_[index];
        matches.push_back({i + 1 - pattern.length, pattern.length, pattern.id});
      }
    }
  }
  return matches;
}

}  // namespace cast
