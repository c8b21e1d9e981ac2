#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cast::controller {

// Another reading of a payload in which a leaked value may hide.
struct DecodedForm {
  std::string label;  // how it was obtained: "json", "url", "base64", or a chain like "base64>json"
  std::string text;
};

struct DecodeLimits {
  int max_depth{2};                // decodings applied on top of each other
  std::size_t min_base64_run{16};  // characters; shorter runs are ordinary words
  double min_text_share{0.75};     // share of printable bytes for decoded base64 to count as text
};

// Appends to `out` the decoded forms of `payload`: JSON string escapes
// undone (`\u0063st_...` -> `cst_...`), URL-decoded (`%40`, `+`), and
// base64/base64url runs decoded where the bytes look like text; then the
// same for each form, up to `max_depth`. A decoding is attempted only when
// the text holds something it would change, so a plain payload yields no
// form at all and costs one cheap pass.
void append_decoded_forms(std::string_view payload, std::vector<DecodedForm>& out, const DecodeLimits& limits = {});

// The pieces, exposed for tests.
// Strings and keys of a JSON document, or for text that is not valid JSON
// (such as a payload cut at the capture cap) its escapes undone in place.
std::string json_unescaped(std::string_view text);
// Every texty base64 run of `text` decoded, one per line.
std::string base64_runs_decoded(std::string_view text, const DecodeLimits& limits = {});

}  // namespace cast::controller
