#include "common/text/multi_pattern_matcher.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <stdexcept>

namespace cast {
namespace {

constexpr std::array<bool, 256> alnum_table() {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[c] = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }
  return table;
}
constexpr auto kAlnum = alnum_table();

bool is_alnum(char c) { return kAlnum[static_cast<unsigned char>(c)]; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

void MultiPatternMatcher::Builder::add(std::string_view pattern, std::size_t id, MatchMode mode) {
  if (pattern.empty()) {
    return;
  }
  if (pattern.size() > std::numeric_limits<std::uint32_t>::max() ||
      trie_.size() + pattern.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    throw std::length_error("MultiPatternMatcher: too many pattern bytes");
  }
  std::int32_t state = 0;
  for (char c : pattern) {
    auto byte = static_cast<unsigned char>(c);
    auto& edges = trie_[static_cast<std::size_t>(state)];
    auto it = std::lower_bound(edges.begin(), edges.end(), byte,
                               [](const Edge& edge, unsigned char label) { return edge.label < label; });
    if (it == edges.end() || it->label != byte) {
      auto next = static_cast<std::int32_t>(trie_.size());
      edges.insert(it, Edge{byte, next});
      state = next;  // `edges` may dangle after the emplace_back below
      trie_.emplace_back();
      outputs_.emplace_back();
    } else {
      state = it->target;
    }
  }
  outputs_[static_cast<std::size_t>(state)].push_back(static_cast<std::uint32_t>(lengths_.size()));
  lengths_.push_back(static_cast<std::uint32_t>(pattern.size()));
  ids_.push_back(id);
  modes_.push_back(mode);
}

MultiPatternMatcher MultiPatternMatcher::Builder::build() {
  MultiPatternMatcher matcher(std::move(*this));
  *this = Builder{};
  return matcher;
}

MultiPatternMatcher::MultiPatternMatcher(Builder&& builder) {
  flatten(builder);
  compute_failure_links(builder.trie_);
}

void MultiPatternMatcher::flatten(const Builder& builder) {
  patterns_.reserve(builder.lengths_.size());
  for (std::size_t i = 0; i < builder.lengths_.size(); ++i) {
    patterns_.push_back(Pattern{builder.lengths_[i], builder.modes_[i], builder.ids_[i]});
  }
  root_next_.fill(0);
  for (const Edge& edge : builder.trie_[0]) {
    root_next_[edge.label] = edge.target;
  }
  edge_begin_.assign(1, 0);
  output_begin_.assign(1, 0);
  for (std::size_t state = 0; state < builder.trie_.size(); ++state) {
    edges_.insert(edges_.end(), builder.trie_[state].begin(), builder.trie_[state].end());
    edge_begin_.push_back(static_cast<std::uint32_t>(edges_.size()));
    outputs_.insert(outputs_.end(), builder.outputs_[state].begin(), builder.outputs_[state].end());
    output_begin_.push_back(static_cast<std::uint32_t>(outputs_.size()));
  }
}

// Breadth first, so a state's fail target (always shallower) is final
// before the state's children need it.
void MultiPatternMatcher::compute_failure_links(const std::vector<std::vector<Edge>>& trie) {
  fail_.assign(trie.size(), 0);
  output_link_.assign(trie.size(), -1);
  reports_.assign(trie.size(), 0);
  std::deque<std::int32_t> queue;
  for (const Edge& edge : trie[0]) {
    reports_[static_cast<std::size_t>(edge.target)] = ends_pattern(static_cast<std::size_t>(edge.target));
    queue.push_back(edge.target);
  }
  while (!queue.empty()) {
    std::int32_t state = queue.front();
    queue.pop_front();
    for (const Edge& edge : trie[static_cast<std::size_t>(state)]) {
      auto target = static_cast<std::size_t>(edge.target);
      fail_[target] = step(fail_[static_cast<std::size_t>(state)], edge.label);
      auto fail = static_cast<std::size_t>(fail_[target]);
      output_link_[target] = ends_pattern(fail) ? fail_[target] : output_link_[fail];
      reports_[target] = ends_pattern(target) || output_link_[target] >= 0;
      queue.push_back(edge.target);
    }
  }
}

std::int32_t MultiPatternMatcher::child(std::int32_t state, unsigned char byte) const {
  auto s = static_cast<std::size_t>(state);
  for (std::uint32_t e = edge_begin_[s]; e < edge_begin_[s + 1]; ++e) {
    if (edges_[e].label == byte) {
      return edges_[e].target;
    }
  }
  return -1;
}

std::int32_t MultiPatternMatcher::step(std::int32_t state, unsigned char byte) const {
  while (state != 0) {
    std::int32_t next = child(state, byte);
    if (next >= 0) {
      return next;
    }
    state = fail_[static_cast<std::size_t>(state)];
  }
  return root_next_[byte];
}

void MultiPatternMatcher::find_all(std::string_view text, std::vector<Match>& out) const {
  std::int32_t state = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    state = step(state, static_cast<unsigned char>(text[i]));
    if (reports_[static_cast<std::size_t>(state)]) {
      report(text, i + 1, static_cast<std::size_t>(state), out);
    }
  }
}

std::vector<MultiPatternMatcher::Match> MultiPatternMatcher::find_all(std::string_view text) const {
  std::vector<Match> out;
  find_all(text, out);
  return out;
}

// Every pattern ending at `end` (exclusive) in `state` or along its output
// links, kept when its mode accepts where it sits.
void MultiPatternMatcher::report(std::string_view text, std::size_t end, std::size_t state,
                                 std::vector<Match>& out) const {
  auto s = static_cast<std::int64_t>(ends_pattern(state) ? state : output_link_[state]);
  for (; s >= 0; s = output_link_[static_cast<std::size_t>(s)]) {
    auto at = static_cast<std::size_t>(s);
    for (std::uint32_t o = output_begin_[at]; o < output_begin_[at + 1]; ++o) {
      Match match;
      if (accept(patterns_[outputs_[o]], text, end, match)) {
        out.push_back(match);
      }
    }
  }
}

bool MultiPatternMatcher::accept(const Pattern& pattern, std::string_view text, std::size_t end, Match& match) const {
  std::size_t start = end - pattern.length;
  std::size_t stop = end;
  if (pattern.mode == MatchMode::numbered_token) {
    while (stop < text.size() && is_digit(text[stop])) {
      ++stop;
    }
    if (stop == end) {
      return false;
    }
  }
  if (pattern.mode != MatchMode::substring) {
    bool starts_alnum = is_alnum(text[start]);
    bool ends_alnum = is_alnum(text[stop - 1]);
    if ((starts_alnum && start > 0 && is_alnum(text[start - 1])) ||
        (ends_alnum && stop < text.size() && is_alnum(text[stop]))) {
      return false;
    }
  }
  match = Match{start, stop - start, pattern.id};
  return true;
}

}  // namespace cast
