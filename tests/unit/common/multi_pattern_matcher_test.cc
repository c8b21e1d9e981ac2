#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "common/text/multi_pattern_matcher.h"

namespace {

using cast::MatchMode;
using cast::MultiPatternMatcher;

struct Pattern {
  std::string text;
  std::size_t id;
  MatchMode mode;
};

using Key = std::tuple<std::size_t, std::size_t, std::size_t>;  // offset, length, id

// ASCII letters and digits only: bytes >= 0x80 separate tokens.
bool word(char c) {
  auto b = static_cast<unsigned char>(c);
  return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
}
bool digit(char c) { return c >= '0' && c <= '9'; }

// The modes of multi_pattern_matcher.h, spelled out one pattern at a time.
std::vector<Key> naive_find_all(const std::vector<Pattern>& patterns, const std::string& text) {
  std::vector<Key> found;
  for (const Pattern& p : patterns) {
    if (p.text.empty()) {
      continue;
    }
    for (std::size_t at = text.find(p.text); at != std::string::npos; at = text.find(p.text, at + 1)) {
      std::size_t stop = at + p.text.size();
      if (p.mode == MatchMode::numbered_token) {
        std::size_t digits_end = stop;
        while (digits_end < text.size() && digit(text[digits_end])) {
          ++digits_end;
        }
        if (digits_end == stop) {
          continue;
        }
        stop = digits_end;
      }
      if (p.mode != MatchMode::substring) {
        bool glued_before = word(p.text.front()) && at > 0 && word(text[at - 1]);
        bool ends_word = p.mode == MatchMode::numbered_token || word(p.text.back());
        bool glued_after = ends_word && stop < text.size() && word(text[stop]);
        if (glued_before || glued_after) {
          continue;
        }
      }
      found.emplace_back(at, stop - at, p.id);
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::vector<Key> fast_find_all(const MultiPatternMatcher& matcher, const std::string& text) {
  std::vector<Key> found;
  for (const auto& match : matcher.find_all(text)) {
    found.emplace_back(match.offset, match.length, match.id);
  }
  std::sort(found.begin(), found.end());
  return found;
}

MultiPatternMatcher build(const std::vector<Pattern>& patterns) {
  MultiPatternMatcher::Builder builder;
  for (const Pattern& p : patterns) {
    builder.add(p.text, p.id, p.mode);
  }
  return builder.build();
}

std::string random_text(std::mt19937& rng, std::size_t length) {
  // A small alphabet of word characters, separators and non-ASCII bytes
  // makes overlaps, shared prefixes and token boundaries frequent.
  static const std::string alphabet = std::string("ab01-@ ") + "\xc3\xa9\xff" + std::string(1, '\0');
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string text;
  for (std::size_t i = 0; i < length; ++i) {
    text += alphabet[pick(rng)];
  }
  return text;
}

}  // namespace

TEST_CASE("matcher: Aho-Corasick agrees with a naive find-all on random inputs, every mode") {
  std::mt19937 rng(20260101);
  std::uniform_int_distribution<std::size_t> pattern_length(0, 6);
  std::uniform_int_distribution<std::size_t> pattern_count(0, 14);
  std::uniform_int_distribution<std::size_t> text_length(0, 300);
  std::uniform_int_distribution<int> mode(0, 2);
  for (int round = 0; round < 3000; ++round) {
    std::vector<Pattern> patterns;
    for (std::size_t id = 0, n = pattern_count(rng); id < n; ++id) {
      patterns.push_back(Pattern{random_text(rng, pattern_length(rng)), id, static_cast<MatchMode>(mode(rng))});
    }
    if (!patterns.empty() && round % 3 == 0) {
      patterns.push_back(patterns.front());  // the same text again, under another id and maybe another mode
      patterns.back().id = patterns.size();
      patterns.back().mode = static_cast<MatchMode>(mode(rng));
    }
    const std::string text = random_text(rng, round % 50 == 0 ? 0 : text_length(rng));
    CAPTURE(round);
    REQUIRE(fast_find_all(build(patterns), text) == naive_find_all(patterns, text));
  }
}

TEST_CASE("matcher: substring mode finds every occurrence, overlapping ones included") {
  const auto matcher = build({{"he", 1, MatchMode::substring},
                              {"she", 2, MatchMode::substring},
                              {"his", 3, MatchMode::substring},
                              {"hers", 4, MatchMode::substring},
                              {"", 5, MatchMode::substring}});
  CHECK(fast_find_all(matcher, "ushers and his") == std::vector<Key>{{1, 3, 2}, {2, 2, 1}, {2, 4, 4}, {11, 3, 3}});
  CHECK(fast_find_all(matcher, "nothing to see").empty());
  CHECK(fast_find_all(matcher, "").empty());
  CHECK(matcher.pattern_count() == 4);
}

TEST_CASE("matcher: whole tokens stop at letters and digits only, numbered tokens take their digits") {
  const auto matcher = build({{"u-000001", 1, MatchMode::whole_token},
                              {"u-000001-r", 2, MatchMode::numbered_token},
                              {"agent-1", 3, MatchMode::whole_token},
                              {"Name (ab12)", 4, MatchMode::whole_token}});
  CHECK(fast_find_all(matcher, "u-0000012 xu-000001 u-000001a agent-17 agent-1b").empty());
  CHECK(fast_find_all(matcher, "u-000001-r u-000001-rx") == std::vector<Key>{{0, 8, 1}, {11, 8, 1}});
  CHECK(fast_find_all(matcher, "id=u-000001; u-000001-r42, agent-1.") ==
        std::vector<Key>{{3, 8, 1}, {13, 8, 1}, {13, 12, 2}, {27, 7, 3}});
  CHECK(fast_find_all(matcher, "\xc3\xa9u-000001\xff") == std::vector<Key>{{2, 8, 1}});  // non-ASCII separates
  CHECK(fast_find_all(matcher, "Name (ab12)x") == std::vector<Key>{{0, 11, 4}});         // ends in punctuation
}

TEST_CASE("matcher: a pattern added twice is reported under each id") {
  const auto matcher =
      build({{"Cast User 000001", 10, MatchMode::substring}, {"Cast User 000001", 11, MatchMode::whole_token}});
  CHECK(fast_find_all(matcher, "x Cast User 000001 y") == std::vector<Key>{{2, 16, 10}, {2, 16, 11}});
  CHECK(fast_find_all(matcher, "xCast User 000001") == std::vector<Key>{{1, 16, 10}});
}

TEST_CASE("matcher: an empty matcher and a matcher of empty patterns find nothing") {
  CHECK(MultiPatternMatcher{}.find_all("anything").empty());
  MultiPatternMatcher::Builder builder;
  builder.add("", 1, MatchMode::whole_token);
  const auto matcher = builder.build();
  CHECK(matcher.pattern_count() == 0);
  CHECK(matcher.find_all("").empty());
}

TEST_CASE("matcher: building empties the builder, so a second build starts afresh") {
  MultiPatternMatcher::Builder builder;
  builder.add("abc", 1);
  const auto first = builder.build();
  builder.add("xyz", 2);
  const auto second = builder.build();
  CHECK(first.find_all("abc xyz").size() == 1);
  CHECK(second.find_all("abc xyz").size() == 1);
  CHECK(second.find_all("abc xyz").front().id == 2);
}
