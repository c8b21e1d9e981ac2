#include "controller/isolation/payload_forms.h"

#include <array>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/crypto/encoding.h"
#include "common/net/url.h"

namespace cast::controller {
namespace {

using nlohmann::json;

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// A table, because this test runs on every payload byte.
constexpr std::array<bool, 256> base64_table() {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[c] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
               c == '-' || c == '_';
  }
  return table;
}
constexpr auto kBase64 = base64_table();

bool is_base64_char(char c) { return kBase64[static_cast<unsigned char>(c)]; }

// Only the escapes that can hide an identifier: \uXXXX, \/ and a doubled
// backslash (a payload escaped twice). `\"` and `\n` change nothing we match.
bool has_json_escapes(std::string_view text) {
  for (std::size_t at = text.find('\\'); at != std::string_view::npos && at + 1 < text.size();
       at = text.find('\\', at + 2)) {
    char next = text[at + 1];
    if (next == 'u' || next == '/' || next == '\\') {
      return true;
    }
  }
  return false;
}

// A `+` alone does not trigger decoding: it is common in base64 and text,
// and a form-encoded display name carries `%28`/`%29` for its parentheses.
bool has_url_escapes(std::string_view text) {
  for (std::size_t at = text.find('%'); at != std::string_view::npos && at + 2 < text.size();
       at = text.find('%', at + 1)) {
    if (is_hex(text[at + 1]) && is_hex(text[at + 2])) {
      return true;
    }
  }
  return false;
}

void append_utf8(std::string& out, std::uint32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

bool read_hex4(std::string_view text, std::size_t at, std::uint32_t& code) {
  if (at + 4 > text.size()) {
    return false;
  }
  code = 0;
  for (std::size_t i = at; i < at + 4; ++i) {
    if (!is_hex(text[i])) {
      return false;
    }
    char c = text[i];
    code = code * 16 + static_cast<std::uint32_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  }
  return true;
}

// Handles one `\uXXXX` at `at` (pointing at the backslash), joining a
// surrogate pair; returns the bytes consumed, 0 when it is not an escape.
std::size_t unescape_unicode(std::string_view text, std::size_t at, std::string& out) {
  std::uint32_t code = 0;
  if (!read_hex4(text, at + 2, code)) {
    return 0;
  }
  std::uint32_t low = 0;
  bool pair = code >= 0xD800 && code < 0xDC00 && at + 12 <= text.size() && text[at + 6] == '\\' &&
              text[at + 7] == 'u' && read_hex4(text, at + 8, low) && low >= 0xDC00 && low < 0xE000;
  if (pair) {
    append_utf8(out, 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00));
    return 12;
  }
  append_utf8(out, code >= 0xD800 && code < 0xE000 ? 0xFFFD : code);
  return 6;
}

// The library cannot parse a payload cut at the capture cap, yet the cut
// payload is still evidence, so its escapes are undone here, leniently.
std::string unescape_in_place(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::size_t used = 0;
    if (text[i] == '\\' && i + 1 < text.size()) {
      char next = text[i + 1];
      if (next == 'u') {
        used = unescape_unicode(text, i, out);
      } else if (next == '/' || next == '\\' || next == '"') {
        out += next;
        used = 2;
      }
    }
    if (used == 0) {
      out += text[i];
      used = 1;
    }
    i += used - 1;
  }
  return out;
}

// Depth first, with an explicit stack: a hostile payload nested ten
// thousand levels deep must not exhaust ours.
std::string strings_of(const json& document) {
  std::string out;
  std::vector<const json*> pending{&document};
  while (!pending.empty()) {
    const json* node = pending.back();
    pending.pop_back();
    if (node->is_string()) {
      out += node->get_ref<const std::string&>();
      out += '\n';
    } else if (node->is_object()) {
      for (auto it = node->begin(); it != node->end(); ++it) {
        out += it.key();
        out += '\n';
        pending.push_back(&it.value());
      }
    } else if (node->is_array()) {
      for (const json& item : *node) {
        pending.push_back(&item);
      }
    }
  }
  return out;
}

bool looks_like_text(std::string_view bytes, double min_share) {
  std::size_t printable = 0;
  for (char c : bytes) {
    auto byte = static_cast<unsigned char>(c);
    printable += (byte >= 0x20 && byte < 0x7F) || byte == '\n' || byte == '\r' || byte == '\t' ? 1 : 0;
  }
  return !bytes.empty() && static_cast<double>(printable) >= min_share * static_cast<double>(bytes.size());
}

std::optional<std::string> decode_run(std::string_view run) {
  if (run.size() % 4 == 1) {
    run.remove_suffix(1);  // a run glued to one more word character
  }
  bool url = run.find_first_of("-_") != std::string_view::npos;
  bool standard = run.find_first_of("+/") != std::string_view::npos;
  if (url && standard) {
    return std::nullopt;
  }
  return url ? base64url_decode(run) : base64_decode(run);
}

void push_form(std::vector<DecodedForm>& out, const std::string& chain, const char* step, std::string text,
               std::string_view source) {
  if (!text.empty() && text != source) {
    out.push_back(DecodedForm{chain.empty() ? std::string(step) : chain + ">" + step, std::move(text)});
  }
}

void decode_into(std::string_view text, const std::string& chain, int depth, std::vector<DecodedForm>& out,
                 const DecodeLimits& limits) {
  if (depth >= limits.max_depth) {
    return;
  }
  std::size_t first = out.size();
  if (has_json_escapes(text)) {
    push_form(out, chain, "json", json_unescaped(text), text);
  }
  if (has_url_escapes(text)) {
    push_form(out, chain, "url", url_decode(std::string(text)), text);
  }
  push_form(out, chain, "base64", base64_runs_decoded(text, limits), text);
  std::size_t last = out.size();
  for (std::size_t i = first; i < last; ++i) {
    // Copies, because decoding appends to `out` and may move its strings.
    std::string inner = out[i].text;
    std::string inner_chain = out[i].label;
    decode_into(inner, inner_chain, depth + 1, out, limits);
  }
}

}  // namespace

std::string json_unescaped(std::string_view text) {
  json document = json::parse(text, nullptr, false);
  return document.is_discarded() ? unescape_in_place(text) : strings_of(document);
}

std::string base64_runs_decoded(std::string_view text, const DecodeLimits& limits) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_base64_char(text[i])) {
      ++i;
      continue;
    }
    std::size_t start = i;
    while (i < text.size() && is_base64_char(text[i])) {
      ++i;
    }
    if (i - start < limits.min_base64_run) {
      continue;
    }
    auto decoded = decode_run(text.substr(start, i - start));
    if (decoded && looks_like_text(*decoded, limits.min_text_share)) {
      out += *decoded;
      out += '\n';
    }
  }
  return out;
}

void append_decoded_forms(std::string_view payload, std::vector<DecodedForm>& out, const DecodeLimits& limits) {
  decode_into(payload, "", 0, out, limits);
}

}  // namespace cast::controller
