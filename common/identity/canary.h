#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cast {

// A canary is `cst_<run8>_<i>_<tag16>`: a string only user `i` of one run is
// ever given, so finding it anywhere else proves a leak. `tag16` is an HMAC
// under the run key, so whoever holds the key can attribute a canary without
// a dictionary of all of them, and nobody without it can mint one.

// The 8-character run tag: the first 8 hex digits of SHA-256(run id).
// Not the run id's own prefix, because generated run ids start with the
// date and two runs of one day would share it.
std::string run_tag8(std::string_view run_id);

struct CanaryParts {
  std::string_view run8;   // 8 of [0-9a-z]
  std::string_view index;  // decimal digits as written
  std::string_view tag;    // 16 of [0-9a-f]; fewer (or none) in a cut-off candidate
};

// Splits a string shaped exactly like a canary; false when it is not.
bool split_canary(std::string_view text, CanaryParts& parts);

// The user index the parts claim, padded or not, whether or not the canary
// is genuine: who a forged or cut-off canary pretends to belong to.
// nullopt when the digits do not fit an index.
std::optional<std::uint64_t> claimed_index(const CanaryParts& parts);

enum class CanaryVerdict {
  valid,      // minted by this run's key for `owner_index`
  wrong_run,  // well formed, but carries another run's tag
  forged,     // this run's tag, but the HMAC does not match (mangled or invented)
  malformed,  // not shaped like a canary (truncated, padded index, bad chars)
};

std::string_view to_string(CanaryVerdict verdict);

struct CanaryCheck {
  CanaryVerdict verdict{CanaryVerdict::malformed};
  std::uint64_t owner_index{0};  // the index the canary claims; trust it only when valid
};

class CanaryAuthority {
 public:
  // `run_key` is raw key bytes (the planner uses 32 random bytes).
  CanaryAuthority(std::string run_id, std::string run_key);

  std::string mint(std::uint64_t index) const;
  CanaryCheck verify(std::string_view text) const;

  const std::string& run_id() const { return run_id_; }
  const std::string& run8() const { return run8_; }

 private:
  std::string tag16(std::uint64_t index) const;

  std::string run_id_;
  std::string run_key_;
  std::string run8_;
};

// A substring of scanned text that looks like (part of) a canary of any run.
struct CanaryCandidate {
  std::size_t offset{0};  // where "cst_" starts, in bytes
  std::string_view text;  // a view into the scanned text
  bool complete{false};   // full shape; false = cut off after the index or inside the tag
  CanaryParts parts;      // views into `text`; run8 and index are always there
};

// Every canary-shaped substring of `text`, in order, in one linear pass.
// A candidate needs at least `cst_<run8>_<digit>`; anything shorter is too
// ambiguous to call a canary. Neighbouring characters are not checked, so a
// canary glued to other text (JSON escapes, punctuation, words) is found.
std::vector<CanaryCandidate> find_canary_candidates(std::string_view text);

}  // namespace cast
