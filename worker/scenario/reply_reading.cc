// Reading the harness's fields out of an answer's text while it is parsed
// (nlohmann's SAX interface) instead of building the whole document first:
// every frame a user receives is read for its type, request id and agent,
// and the document (a map node and a string per key and value) cost more
// than the lexing. The answer is still lexed whole and strictly, so what
// the DOM parse refuses is refused here too, and the result is the same as
// read_reply over the parsed document, duplicate keys (the last one wins)
// included.
#include <algorithm>
#include <array>

#include "worker/scenario/scenario.h"

namespace cast::worker {
namespace {

using nlohmann::json;
using Tokens = std::vector<std::string>;

constexpr std::size_t kFields = 5;

using FieldTokens = std::array<Tokens, kFields>;

Tokens tokens_of(json::json_pointer pointer) {
  Tokens tokens;
  while (!pointer.empty()) {
    tokens.push_back(pointer.back());
    pointer.pop_back();
  }
  std::reverse(tokens.begin(), tokens.end());
  return tokens;
}

bool same_pointers(const ReplyPointers& a, const ReplyPointers& b) {
  return a.type == b.type && a.request_id == b.request_id && a.agent_id == b.agent_id && a.user_id == b.user_id &&
         a.code == b.code;
}

// A scenario has a few sets of pointers, asked for on every frame: their
// tokens are split once per loop thread (a pointer exposes only its last
// token, so splitting copies it), not once per frame.
const FieldTokens& wanted_tokens(const ReplyPointers& pointers) {
  struct Entry {
    ReplyPointers pointers;
    FieldTokens tokens;
  };
  thread_local std::vector<Entry> known;
  for (const auto& entry : known) {
    if (same_pointers(entry.pointers, pointers)) return entry.tokens;
  }
  if (known.size() >= 8) known.erase(known.begin());
  known.push_back({pointers,
                   {tokens_of(pointers.type), tokens_of(pointers.request_id), tokens_of(pointers.agent_id),
                    tokens_of(pointers.user_id), tokens_of(pointers.code)}});
  return known.back().tokens;
}

// One container the parser is inside: an array counts its elements, whose
// index is their token; an object's key is set by key().
struct Level {
  bool array{false};
  std::size_t next_index{0};
};

class ReplySax {
 public:
  explicit ReplySax(const FieldTokens& wanted) : wanted_{wanted} {}

  ReplyFields fields() && {
    return {std::move(found_[0]), std::move(found_[1]), std::move(found_[2]), std::move(found_[3]),
            std::move(found_[4])};
  }

  bool null() { return scalar({}); }
  bool boolean(bool) { return scalar({}); }
  bool number_integer(json::number_integer_t value) { return scalar(std::to_string(value)); }
  bool number_unsigned(json::number_unsigned_t value) { return scalar(std::to_string(value)); }
  bool number_float(json::number_float_t value, const std::string&) { return scalar(json(value).dump()); }
  bool string(std::string& value) { return scalar(std::move(value)); }
  bool binary(json::binary_t&) { return scalar({}); }
  bool start_object(std::size_t) { return open(false); }
  bool start_array(std::size_t) { return open(true); }
  bool key(std::string& name) {
    path_.back() = std::move(name);
    return true;
  }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool parse_error(std::size_t, const std::string&, const json::exception&) { return false; }

 private:
  // A value lands at the path: every field at or below it is what this
  // value says (a later duplicate key replaces an earlier one's fields).
  void land(std::string* text) {
    if (!levels_.empty() && levels_.back().array) {
      path_.back() = std::to_string(levels_.back().next_index++);
    }
    for (std::size_t i = 0; i < kFields; ++i) {
      const auto& want = wanted_[i];
      // A pointer to the whole answer never names a field (read_reply
      // gives an empty one for any answer).
      if (want.empty() || path_.size() > want.size() || !std::equal(path_.begin(), path_.end(), want.begin())) {
        continue;
      }
      found_[i] = (text && path_.size() == want.size()) ? *text : std::string{};
    }
  }
  bool scalar(std::string text) {
    land(&text);
    return true;
  }
  bool open(bool array) {
    land(nullptr);
    levels_.push_back({array, 0});
    path_.emplace_back();
    return true;
  }
  bool close() {
    levels_.pop_back();
    path_.pop_back();
    return true;
  }

  const FieldTokens& wanted_;
  std::array<std::string, kFields> found_;
  std::vector<Level> levels_;
  Tokens path_;
};

}  // namespace

ReplyFields read_reply_text(std::string_view answer, const ReplyPointers& pointers) {
  ReplySax reader{wanted_tokens(pointers)};
  if (!json::sax_parse(answer, &reader)) {
    return {};
  }
  return std::move(reader).fields();
}

}  // namespace cast::worker
