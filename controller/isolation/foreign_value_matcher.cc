#include "controller/isolation/foreign_value_matcher.h"

#include <algorithm>
#include <deque>
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

template <class Edge>
auto find_edge(std::vector<Edge>& edges, unsigned char byte) {
  return std::lower_bound(edges.begin(), edges.end(), byte,
                          [](const Edge& edge, unsigned char label) { return edge.label < label; });
}

}  // namespace

std::string_view to_string(ValueKind kind) {
  switch (kind) {
    case ValueKind::user_id: return "user_id";
    case ValueKind::email: return "email";
    case ValueKind::display_name: return "display_name";
    case ValueKind::agent_id: return "agent_id";
    case ValueKind::request_id: return "request_id";
  }
  return "value";
}

void ForeignValueMatcher::add(std::string_view value, std::uint32_t owner, ValueKind kind) {
  if (built_) {
    throw std::logic_error("ForeignValueMatcher::add after build");
  }
  if (value.empty()) {
    return;
  }
  std::int32_t state = 0;
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    auto& edges = trie_[static_cast<std::size_t>(state)];
    auto it = find_edge(edges, byte);
    if (it == edges.end() || it->label != byte) {
      auto next = static_cast<std::int32_t>(trie_.size());
      it = edges.insert(it, Edge{byte, next});
      state = next;  // `edges` may dangle after the push_back below
      trie_.emplace_back();
      trie_outputs_.emplace_back();
    } else {
      state = it->target;
    }
  }
  trie_outputs_[static_cast<std::size_t>(state)].push_back(static_cast<std::uint32_t>(patterns_.size()));
  patterns_.push_back(Pattern{static_cast<std::uint32_t>(value.size()), owner, kind, is_alnum(value.front()),
                              kind == ValueKind::request_id || is_alnum(value.back())});
}

void ForeignValueMatcher::build() {
  if (built_) {
    return;
  }
  auto trie = std::move(trie_);
  auto outputs = std::move(trie_outputs_);
  flatten(trie, outputs);
  compute_failure_links(trie);
  built_ = true;
}

void ForeignValueMatcher::flatten(const std::vector<std::vector<Edge>>& trie,
                                  std::vector<std::vector<std::uint32_t>>& outputs) {
  root_next_.fill(0);
  for (const Edge& edge : trie[0]) {
    root_next_[edge.label] = edge.target;
  }
  edge_begin_.assign(1, 0);
  output_begin_.assign(1, 0);
  for (std::size_t state = 0; state < trie.size(); ++state) {
    edges_.insert(edges_.end(), trie[state].begin(), trie[state].end());
    edge_begin_.push_back(static_cast<std::uint32_t>(edges_.size()));
    outputs_.insert(outputs_.end(), outputs[state].begin(), outputs[state].end());
    output_begin_.push_back(static_cast<std::uint32_t>(outputs_.size()));
  }
}

// Breadth first, so a state's fail target (always shallower) is final
// before the state's children need it.
void ForeignValueMatcher::compute_failure_links(const std::vector<std::vector<Edge>>& trie) {
  fail_.assign(trie.size(), 0);
  output_link_.assign(trie.size(), -1);
  reports_.assign(trie.size(), 0);
  std::deque<std::int32_t> queue;
  for (const Edge& edge : trie[0]) {
    auto target = static_cast<std::size_t>(edge.target);
    reports_[target] = output_begin_[target] != output_begin_[target + 1];
    queue.push_back(edge.target);
  }
  while (!queue.empty()) {
    std::int32_t state = queue.front();
    queue.pop_front();
    for (const Edge& edge : trie[static_cast<std::size_t>(state)]) {
      auto target = static_cast<std::size_t>(edge.target);
      fail_[target] = step(fail_[static_cast<std::size_t>(state)], edge.label);
      auto fail = static_cast<std::size_t>(fail_[target]);
      bool fail_ends_pattern = output_begin_[fail] != output_begin_[fail + 1];
      output_link_[target] = fail_ends_pattern ? fail_[target] : output_link_[fail];
      reports_[target] = output_begin_[target] != output_begin_[target + 1] || output_link_[target] >= 0;
      queue.push_back(edge.target);
    }
  }
}

std::int32_t ForeignValueMatcher::child(std::int32_t state, unsigned char byte) const {
  auto s = static_cast<std::size_t>(state);
  for (std::uint32_t e = edge_begin_[s]; e < edge_begin_[s + 1]; ++e) {
    if (edges_[e].label == byte) {
      return edges_[e].target;
    }
  }
  return -1;
}

std::int32_t ForeignValueMatcher::step(std::int32_t state, unsigned char byte) const {
  while (state != 0) {
    std::int32_t next = child(state, byte);
    if (next >= 0) {
      return next;
    }
    state = fail_[static_cast<std::size_t>(state)];
  }
  return root_next_[byte];
}

void ForeignValueMatcher::find_all(std::string_view text, std::vector<ValueMatch>& out) const {
  if (!built_) {
    throw std::logic_error("ForeignValueMatcher::find_all before build");
  }
  std::int32_t state = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    state = step(state, static_cast<unsigned char>(text[i]));
    if (reports_[static_cast<std::size_t>(state)]) {
      report(text, i + 1, state, out);
    }
  }
}

// Every pattern ending at `end` (exclusive) in `state` or along its output
// links, kept when it is a whole token.
void ForeignValueMatcher::report(std::string_view text, std::size_t end, std::int32_t state,
                                 std::vector<ValueMatch>& out) const {
  auto s = static_cast<std::size_t>(state);
  if (output_begin_[s] == output_begin_[s + 1]) {
    if (output_link_[s] < 0) {
      return;
    }
    s = static_cast<std::size_t>(output_link_[s]);
  }
  while (true) {
    for (std::uint32_t o = output_begin_[s]; o < output_begin_[s + 1]; ++o) {
      const Pattern& pattern = patterns_[outputs_[o]];
      std::size_t start = end - pattern.length;
      std::size_t stop = end;
      if (pattern.kind == ValueKind::request_id) {
        while (stop < text.size() && is_digit(text[stop])) {
          ++stop;
        }
      }
      bool whole = !(pattern.starts_alnum && start > 0 && is_alnum(text[start - 1])) &&
                   !(pattern.ends_alnum && stop < text.size() && is_alnum(text[stop])) &&
                   !(pattern.kind == ValueKind::request_id && stop == end);
      if (whole) {
        out.push_back(ValueMatch{start, stop - start, pattern.owner, pattern.kind});
      }
    }
    if (output_link_[s] < 0) {
      return;
    }
    s = static_cast<std::size_t>(output_link_[s]);
  }
}

}  // namespace cast
