#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "controller/isolation/identifying_values.h"

using namespace cast::controller;  // the code under test

namespace {

using cast::controller::IdentifyingValues;
using cast::controller::ValueKind;
using cast::controller::ValueMatch;

struct Value {
  std::string text;
  std::uint32_t owner;
  ValueKind kind;
};

using Key = std::tuple<std::size_t, std::size_t, std::uint32_t, int>;

Key key_of(const ValueMatch& match) { return {match.offset, match.length, match.owner, static_cast<int>(match.kind)}; }

bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool digit(char c) { return c >= '0' && c <= '9'; }

// The rules of identifying_values.h, spelled out one value at a time.
std::vector<Key> naive_find_all(const std::vector<Value>& values, const std::string& text) {
  std::vector<Key> found;
  for (const Value& value : values) {
    for (std::size_t at = text.find(value.text); at != std::string::npos; at = text.find(value.text, at + 1)) {
      std::size_t stop = at + value.text.size();
      if (value.kind == ValueKind::request_id) {
        std::size_t digits_end = stop;
        while (digits_end < text.size() && digit(text[digits_end])) {
          ++digits_end;
        }
        if (digits_end == stop) {
          continue;
        }
        stop = digits_end;
      }
      bool ends_alnum = value.kind == ValueKind::request_id || alnum(value.text.back());
      if (alnum(value.text.front()) && at > 0 && alnum(text[at - 1])) {
        continue;
      }
      if (ends_alnum && stop < text.size() && alnum(text[stop])) {
        continue;
      }
      found.emplace_back(at, stop - at, value.owner, static_cast<int>(value.kind));
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::vector<Key> fast_find_all(const std::vector<Value>& values, const std::string& text) {
  IdentifyingValues::Builder builder;
  for (const Value& value : values) {
    builder.add(value.text, value.owner, value.kind);
  }
  const IdentifyingValues matcher = builder.build();
  std::vector<cast::MultiPatternMatcher::Match> scratch;
  std::vector<ValueMatch> matches;
  matcher.find_all(text, scratch, matches);
  std::vector<Key> found;
  for (const ValueMatch& match : matches) {
    found.push_back(key_of(match));
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::string random_text(std::mt19937& rng, std::size_t length) {
  // A small alphabet with word and non-word characters makes overlaps,
  // shared prefixes and token boundaries frequent.
  static const std::string alphabet = "ab01-@ ";
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string text;
  for (std::size_t i = 0; i < length; ++i) {
    text += alphabet[pick(rng)];
  }
  return text;
}

}  // namespace

TEST_CASE("isolation matcher: Aho-Corasick agrees with a naive find-all on random inputs") {
  std::mt19937 rng(20260101);
  std::uniform_int_distribution<std::size_t> pattern_length(1, 6);
  std::uniform_int_distribution<int> kind(0, 4);
  for (int round = 0; round < 300; ++round) {
    std::vector<Value> values;
    for (std::uint32_t owner = 0; owner < 12; ++owner) {
      values.push_back(Value{random_text(rng, pattern_length(rng)), owner, static_cast<ValueKind>(kind(rng))});
    }
    std::string text = random_text(rng, 400);
    auto expected = naive_find_all(values, text);
    CAPTURE(round);
    CAPTURE(text);
    REQUIRE(fast_find_all(values, text) == expected);
  }
}

TEST_CASE("isolation matcher: ids match as whole tokens only") {
  std::vector<Value> values{{"u-000001", 1, ValueKind::user_id},
                            {"u-000001-r", 1, ValueKind::request_id},
                            {"agent-1", 7, ValueKind::agent_id},
                            {"Cast User 000001 (ab12cd34)", 1, ValueKind::display_name}};
  CHECK(fast_find_all(values, "u-0000012 xu-000001 u-000001a").empty());
  CHECK(fast_find_all(values, "agent-17 agent-1b").empty());
  CHECK(fast_find_all(values, "u-000001-r u-000001-rx").size() == 2);  // the user ids, not request ids

  auto found = fast_find_all(values, "id=u-000001; req u-000001-r42, agent-1.");
  std::vector<Key> expected{{3, 8, 1, static_cast<int>(ValueKind::user_id)},
                            {17, 8, 1, static_cast<int>(ValueKind::user_id)},
                            {17, 12, 1, static_cast<int>(ValueKind::request_id)},
                            {31, 7, 7, static_cast<int>(ValueKind::agent_id)}};
  CHECK(found == expected);

  // A value ending in punctuation needs no boundary after it.
  CHECK(fast_find_all(values, "Cast User 000001 (ab12cd34)x").size() == 1);
}

TEST_CASE("isolation matcher: one value held by two owners reports both and empty values are ignored") {
  std::vector<Value> values{
      {"agent-9", 1, ValueKind::agent_id}, {"agent-9", 2, ValueKind::agent_id}, {"", 3, ValueKind::user_id}};
  CHECK(fast_find_all(values, "agent-9").size() == 2);
  CHECK(fast_find_all(values, "").empty());
}

TEST_CASE("isolation matcher: the scratch buffer is reused and matches are appended") {
  IdentifyingValues::Builder builder;
  builder.add("u-000001", 1, ValueKind::user_id);
  const IdentifyingValues values = builder.build();
  CHECK(values.value_count() == 1);
  std::vector<cast::MultiPatternMatcher::Match> scratch;
  std::vector<ValueMatch> matches;
  values.find_all("u-000001", scratch, matches);
  values.find_all("x u-000001", scratch, matches);
  REQUIRE(matches.size() == 2);
  CHECK(matches[1].offset == 2);
  CHECK(scratch.size() == 1);
}
