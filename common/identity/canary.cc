#include "common/identity/canary.h"

#include <openssl/evp.h>

#include <charconv>
#include <stdexcept>

#include "common/crypto/encoding.h"
#include "common/crypto/hmac.h"

namespace cast {
namespace {

constexpr std::string_view kPrefix = "cst_";
constexpr std::size_t kRunLength = 8;
constexpr std::size_t kTagLength = 16;
// uint64 has at most 20 decimal digits; longer runs of digits are not an index.
constexpr std::size_t kMaxIndexDigits = 20;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_run_char(char c) { return is_digit(c) || (c >= 'a' && c <= 'z'); }
bool is_tag_char(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }

std::string sha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed while deriving a run tag");
  }
  return std::string(reinterpret_cast<const char*>(digest), length);
}

// Length of the run of characters satisfying `accept` at `from`, at most `limit`.
template <typename Accept>
std::size_t span_of(std::string_view text, std::size_t from, std::size_t limit, Accept accept) {
  std::size_t n = 0;
  while (from + n < text.size() && n < limit && accept(text[from + n])) {
    ++n;
  }
  return n;
}

// How much of `text` from `at` (which holds "cst_") matches the canary
// grammar, with the parts found; `complete` when all of it does. 0 when too
// little matches.
std::size_t match_canary(std::string_view text, std::size_t at, bool& complete, CanaryParts& parts) {
  complete = false;
  parts = CanaryParts{};
  std::size_t pos = at + kPrefix.size();
  if (span_of(text, pos, kRunLength, is_run_char) != kRunLength) {
    return 0;
  }
  parts.run8 = text.substr(pos, kRunLength);
  pos += kRunLength;
  if (pos >= text.size() || text[pos] != '_') {
    return 0;
  }
  std::size_t digits = span_of(text, pos + 1, kMaxIndexDigits, is_digit);
  if (digits == 0) {
    return 0;
  }
  parts.index = text.substr(pos + 1, digits);
  pos += 1 + digits;
  if (pos >= text.size() || text[pos] != '_') {
    return pos - at;
  }
  std::size_t tag = span_of(text, pos + 1, kTagLength, is_tag_char);
  if (tag > 0) {
    parts.tag = text.substr(pos + 1, tag);
  }
  complete = tag == kTagLength;
  return tag == 0 ? pos - at : pos + 1 + tag - at;
}

bool parse_index(std::string_view digits, std::uint64_t& index) {
  if (digits.size() > 1 && digits.front() == '0') {
    return false;  // never minted with padding, so it was altered
  }
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
  return ec == std::errc{} && end == digits.data() + digits.size();
}

}  // namespace

std::string run_tag8(std::string_view run_id) { return hex_encode(sha256(run_id)).substr(0, kRunLength); }

bool split_canary(std::string_view text, CanaryParts& parts) {
  if (!text.starts_with(kPrefix)) {
    return false;
  }
  bool complete = false;
  CanaryParts found;
  if (match_canary(text, 0, complete, found) != text.size() || !complete) {
    return false;
  }
  parts = found;
  return true;
}

std::optional<std::uint64_t> claimed_index(const CanaryParts& parts) {
  std::uint64_t index = 0;
  const char* end = parts.index.data() + parts.index.size();
  auto [stop, ec] = std::from_chars(parts.index.data(), end, index);
  return ec == std::errc{} && stop == end && !parts.index.empty() ? std::optional(index) : std::nullopt;
}

std::string_view to_string(CanaryVerdict verdict) {
  switch (verdict) {
    case CanaryVerdict::valid: return "valid";
    case CanaryVerdict::wrong_run: return "wrong_run";
    case CanaryVerdict::forged: return "forged";
    case CanaryVerdict::malformed: return "malformed";
  }
  return "unknown";
}

CanaryAuthority::CanaryAuthority(std::string run_id, std::string run_key)
    : run_id_(std::move(run_id)), run_key_(std::move(run_key)), run8_(run_tag8(run_id_)) {
  if (run_key_.empty()) {
    throw std::invalid_argument("canary authority for run " + run_id_ + ": empty run key");
  }
}

std::string CanaryAuthority::tag16(std::uint64_t index) const {
  std::string message = run_id_ + ":" + std::to_string(index);
  return hex_encode(hmac_sha256(run_key_, message)).substr(0, kTagLength);
}

std::string CanaryAuthority::mint(std::uint64_t index) const {
  return std::string(kPrefix) + run8_ + "_" + std::to_string(index) + "_" + tag16(index);
}

CanaryCheck CanaryAuthority::verify(std::string_view text) const {
  CanaryParts parts;
  CanaryCheck check;
  if (!split_canary(text, parts) || !parse_index(parts.index, check.owner_index)) {
    return check;
  }
  if (parts.run8 != run8_) {
    check.verdict = CanaryVerdict::wrong_run;
  } else if (constant_time_equal(parts.tag, tag16(check.owner_index))) {
    check.verdict = CanaryVerdict::valid;
  } else {
    check.verdict = CanaryVerdict::forged;
  }
  return check;
}

std::vector<CanaryCandidate> find_canary_candidates(std::string_view text) {
  std::vector<CanaryCandidate> found;
  std::size_t at = text.find(kPrefix);
  while (at != std::string_view::npos) {
    bool complete = false;
    CanaryParts parts;
    std::size_t length = match_canary(text, at, complete, parts);
    if (length > 0) {
      found.push_back({at, text.substr(at, length), complete, parts});
    }
    // Each match attempt reads at most ~50 bytes, so the scan stays linear.
    at = text.find(kPrefix, at + (length > 0 ? length : 1));
  }
  return found;
}

}  // namespace cast
