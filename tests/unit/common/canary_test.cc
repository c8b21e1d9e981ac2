#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "common/identity/canary.h"

namespace {

const std::string kRunId = "run-20260101-120000-abc123";
const std::string kKey(32, '\x5a');

bool is_lower_hex(std::string_view text) {
  return text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

TEST_CASE("a canary is cst_<run8>_<i>_<tag16> and names its owner") {
  cast::CanaryAuthority authority(kRunId, kKey);
  std::string canary = authority.mint(42);
  std::string run8 = cast::run_tag8(kRunId);
  REQUIRE(run8.size() == 8);
  CHECK(is_lower_hex(run8));
  CHECK(canary.starts_with("cst_" + run8 + "_42_"));
  CHECK(canary.size() == 4 + 8 + 1 + 2 + 1 + 16);
  CHECK(is_lower_hex(canary.substr(canary.size() - 16)));
  CHECK(authority.mint(0).starts_with("cst_" + run8 + "_0_"));

  auto check = authority.verify(canary);
  CHECK(check.verdict == cast::CanaryVerdict::valid);
  CHECK(check.owner_index == 42);
  CHECK(authority.mint(42) == canary);  // deterministic
}

TEST_CASE("run tags differ for runs of the same second") {
  CHECK(cast::run_tag8("run-20260101-120000-abc123") != cast::run_tag8("run-20260101-120000-abc124"));
}

TEST_CASE("canaries are distinct per index and per key") {
  cast::CanaryAuthority authority(kRunId, kKey);
  cast::CanaryAuthority other_key(kRunId, std::string(32, '\x11'));
  CHECK(authority.mint(1) != authority.mint(2));
  CHECK(authority.mint(1) != other_key.mint(1));
}

TEST_CASE("verify tells forged, wrong-run and malformed canaries apart") {
  cast::CanaryAuthority authority(kRunId, kKey);
  cast::CanaryAuthority other_run("run-20260101-120000-zzz999", kKey);
  cast::CanaryAuthority wrong_key(kRunId, std::string(32, '\x11'));
  std::string canary = authority.mint(7);

  std::string flipped = canary;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  CHECK(authority.verify(flipped).verdict == cast::CanaryVerdict::forged);
  CHECK(authority.verify(wrong_key.mint(7)).verdict == cast::CanaryVerdict::forged);

  // Someone else's index with this user's tag: the tag binds the index.
  std::string reindexed = canary;
  reindexed.replace(reindexed.find("_7_"), 3, "_8_");
  auto moved = authority.verify(reindexed);
  CHECK(moved.verdict == cast::CanaryVerdict::forged);
  CHECK(moved.owner_index == 8);

  auto foreign = authority.verify(other_run.mint(7));
  CHECK(foreign.verdict == cast::CanaryVerdict::wrong_run);
  CHECK(foreign.owner_index == 7);

  for (std::string bad :
       {std::string{}, std::string("cst_"), canary.substr(0, canary.size() - 1), canary + "0", " " + canary,
        "CST" + canary.substr(3), "cst_" + cast::run_tag8(kRunId) + "_07_" + canary.substr(canary.size() - 16),
        "cst_" + cast::run_tag8(kRunId) + "__" + canary.substr(canary.size() - 16),
        "cst_" + cast::run_tag8(kRunId) + "_99999999999999999999_0123456789abcdef"}) {
    CAPTURE(bad);
    CHECK(authority.verify(bad).verdict == cast::CanaryVerdict::malformed);
  }
  CHECK(cast::to_string(cast::CanaryVerdict::forged) == "forged");
}

TEST_CASE("an authority refuses an empty key") {
  CHECK_THROWS_AS(cast::CanaryAuthority(kRunId, ""), std::invalid_argument);
}

TEST_CASE("find_canary_candidates finds every canary in mixed text, in order") {
  cast::CanaryAuthority authority(kRunId, kKey);
  cast::CanaryAuthority other_run("run-x", kKey);
  std::string a = authority.mint(3);
  std::string b = authority.mint(1234);
  std::string c = other_run.mint(5);
  std::string text = "{\"content\":\"quote: " + a + "\\n(" + b + "), [" + c + "];" + a + "cst_cst_\"}";

  auto found = cast::find_canary_candidates(text);
  REQUIRE(found.size() == 4);
  CHECK(found[0].text == a);
  CHECK(found[0].offset == text.find(a));
  CHECK(found[1].text == b);
  CHECK(found[2].text == c);
  CHECK(found[3].text == a);
  CHECK(found[3].offset == text.rfind(a));
  for (const auto& candidate : found) {
    CHECK(candidate.complete);
    CHECK(text.substr(candidate.offset, candidate.text.size()) == candidate.text);
  }
  CHECK(authority.verify(found[1].text).owner_index == 1234);
  CHECK(authority.verify(found[2].text).verdict == cast::CanaryVerdict::wrong_run);
}

TEST_CASE("find_canary_candidates reports canaries glued to escapes and words") {
  cast::CanaryAuthority authority(kRunId, kKey);
  std::string a = authority.mint(9);
  // A JSON escape right before it, another canary right after it.
  std::string text = "\\\"\\u0022" + a + a + "xyz\\t" + a + "\\\"";
  auto found = cast::find_canary_candidates(text);
  REQUIRE(found.size() == 3);
  for (const auto& candidate : found) {
    CHECK(candidate.text == a);
    CHECK(candidate.complete);
  }
}

TEST_CASE("find_canary_candidates flags truncated canaries and skips shapeless ones") {
  cast::CanaryAuthority authority(kRunId, kKey);
  std::string a = authority.mint(42);
  std::string cut_in_tag = a.substr(0, a.size() - 5);
  std::string cut_after_index = a.substr(0, a.find("_42_") + 3);
  std::string too_short = a.substr(0, 10);
  std::string text = cut_in_tag + " " + cut_after_index + " " + too_short + " cst_ cst_abc cst_UPPERCAS_1_x";

  auto found = cast::find_canary_candidates(text);
  REQUIRE(found.size() == 2);
  CHECK(found[0].text == cut_in_tag);
  CHECK_FALSE(found[0].complete);
  CHECK(found[1].text == cut_after_index);
  CHECK_FALSE(found[1].complete);
  CHECK(authority.verify(found[0].text).verdict == cast::CanaryVerdict::malformed);

  // Truncated at the very end of the text, as a capped payload would be.
  std::string capped = "payload ends " + cut_in_tag;
  auto tail = cast::find_canary_candidates(capped);
  REQUIRE(tail.size() == 1);
  CHECK(tail[0].text == cut_in_tag);
  CHECK(cast::find_canary_candidates("").empty());
  CHECK(cast::find_canary_candidates("no canaries here, cst only").empty());
}

TEST_CASE("find_canary_candidates ignores long runs of near misses") {
  // Many near-misses: each "cst_" must be looked at once, not rescanned.
  std::string text;
  for (int i = 0; i < 200000; ++i) {
    text += "cst_abcdefg";
  }
  CHECK(cast::find_canary_candidates(text).empty());
}

TEST_CASE("find_canary_candidates splits each candidate into its run tag, index and tag") {
  cast::CanaryAuthority authority(kRunId, kKey);
  std::string a = authority.mint(42);
  std::string cut = a.substr(0, a.size() - 5);
  std::string text = "x" + a + " " + cut;
  auto found = cast::find_canary_candidates(text);
  REQUIRE(found.size() == 2);
  CHECK(found[0].parts.run8 == authority.run8());
  CHECK(found[0].parts.index == "42");
  CHECK(found[0].parts.tag == a.substr(a.size() - 16));
  CHECK(cast::claimed_index(found[0].parts) == 42u);
  CHECK(found[1].parts.run8 == authority.run8());
  CHECK(found[1].parts.tag.size() == 11);
  CHECK(cast::claimed_index(found[1].parts) == 42u);

  // Cut right after the index: no tag at all, the claim still readable.
  std::string cut_after_index = "cst_" + authority.run8() + "_7 and more";
  auto bare = cast::find_canary_candidates(cut_after_index);
  REQUIRE(bare.size() == 1);
  CHECK(bare[0].parts.tag.empty());
  CHECK(cast::claimed_index(bare[0].parts) == 7u);
}

TEST_CASE("claimed_index reads padded digits and refuses what no index can be") {
  cast::CanaryParts parts;
  parts.index = "007";
  CHECK(cast::claimed_index(parts) == 7u);  // never minted padded, but that is who it pretends to be
  parts.index = "99999999999999999999";
  CHECK_FALSE(cast::claimed_index(parts).has_value());  // beyond uint64
  parts.index = "";
  CHECK_FALSE(cast::claimed_index(parts).has_value());
}
