#include "common/protocol/key_pattern.h"

#include <stdexcept>

namespace cast {
namespace {

constexpr std::string_view placeholder_names[] = {"prefix", "run_id", "user_id", "agent_id"};

}  // namespace

KeyPattern::KeyPattern(std::string_view text) {
  bool seen_user = false;
  bool seen_agent = false;
  for (std::size_t at = 0; at < text.size();) {
    const auto open = text.find('{', at);
    if (open != at) {
      const auto literal = text.substr(at, open == std::string_view::npos ? std::string_view::npos : open - at);
      pieces_.push_back({Slot::literal, std::string(literal)});
      at += literal.size();
      continue;
    }
    const auto close = text.find('}', open);
    if (close == std::string_view::npos) {
      throw std::invalid_argument("unclosed '{' in key pattern '" + std::string(text) + "'");
    }
    const auto name = text.substr(open + 1, close - open - 1);
    std::size_t index = 0;
    while (index < std::size(placeholder_names) && placeholder_names[index] != name) {
      ++index;
    }
    if (index == std::size(placeholder_names)) {
      throw std::invalid_argument("unknown placeholder {" + std::string(name) + "} in key pattern '" +
                                  std::string(text) + "' (known: {prefix}, {run_id}, {user_id}, {agent_id})");
    }
    const auto slot = static_cast<Slot>(index + 1);
    bool& seen = slot == Slot::user_id ? seen_user : seen_agent;
    if (is_capture(slot) && seen) {
      throw std::invalid_argument("{" + std::string(name) + "} appears twice in key pattern '" + std::string(text) +
                                  "'");
    }
    if (is_capture(slot) && !pieces_.empty() && is_capture(pieces_.back().slot)) {
      throw std::invalid_argument("two captures with nothing between them in key pattern '" + std::string(text) + "'");
    }
    if (is_capture(slot)) {
      seen = true;
    }
    pieces_.push_back({slot, {}});
    at = close + 1;
  }
}

KeyPattern KeyPattern::bound(std::string_view prefix, std::string_view run_id) const {
  KeyPattern out;
  for (const auto& piece : pieces_) {
    if (is_capture(piece.slot)) {
      out.pieces_.push_back(piece);
      continue;
    }
    const std::string_view text = piece.slot == Slot::prefix   ? prefix
                                  : piece.slot == Slot::run_id ? run_id
                                                               : piece.text;
    if (!out.pieces_.empty() && out.pieces_.back().slot == Slot::literal) {
      out.pieces_.back().text += text;
    } else {
      out.pieces_.push_back({Slot::literal, std::string(text)});
    }
  }
  return out;
}

std::optional<KeyPattern::Parts> KeyPattern::match(std::string_view key) const {
  Parts parts;
  std::size_t at = 0;
  const Piece* open_capture = nullptr;
  auto close_capture = [&](std::size_t end) {
    (open_capture->slot == Slot::user_id ? parts.user_id : parts.agent_id) = std::string(key.substr(at, end - at));
    open_capture = nullptr;
  };
  for (std::size_t i = 0; i < pieces_.size(); ++i) {
    const auto& piece = pieces_[i];
    if (is_capture(piece.slot)) {
      open_capture = &piece;
      continue;
    }
    const bool last = i + 1 == pieces_.size();
    std::size_t found = std::string_view::npos;
    if (open_capture == nullptr) {
      found = key.substr(at).starts_with(piece.text) ? at : std::string_view::npos;
    } else if (last) {
      found = key.size() >= piece.text.size() + at + 1 && key.ends_with(piece.text) ? key.size() - piece.text.size()
                                                                                    : std::string_view::npos;
    } else {
      found = key.find(piece.text, at + 1);  // a capture is never empty
    }
    if (found == std::string_view::npos) {
      return std::nullopt;
    }
    if (open_capture != nullptr) {
      close_capture(found);
    }
    at = found + piece.text.size();
  }
  if (open_capture != nullptr) {
    if (at >= key.size()) {
      return std::nullopt;
    }
    close_capture(key.size());
    at = key.size();
  }
  return at == key.size() ? std::optional<Parts>{std::move(parts)} : std::nullopt;
}

std::string KeyPattern::literal_head() const {
  std::string head;
  for (const auto& piece : pieces_) {
    if (piece.slot != Slot::literal) {
      break;
    }
    head += piece.text;
  }
  return head;
}

bool KeyPattern::has(std::string_view placeholder) const {
  for (const auto& piece : pieces_) {
    if (piece.slot != Slot::literal && placeholder_names[static_cast<std::size_t>(piece.slot) - 1] == placeholder) {
      return true;
    }
  }
  return false;
}

}  // namespace cast
