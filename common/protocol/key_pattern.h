#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cast {

// A Redis key layout such as `{prefix}:{run_id}:user:{user_id}:agent:{agent_id}`.
// `{prefix}` and `{run_id}` are fixed per run; `{user_id}` and `{agent_id}`
// are read back out of a key, which is how the owner a key claims is found.
class KeyPattern {
 public:
  struct Parts {
    std::string user_id;   // empty when the pattern has no {user_id}
    std::string agent_id;  // empty when the pattern has no {agent_id}
  };

  // Throws std::invalid_argument for an unknown placeholder, an unclosed
  // brace, a repeated capture, or two captures with nothing between them.
  explicit KeyPattern(std::string_view text);

  // The pattern with {prefix} and {run_id} filled in; captures stay open.
  KeyPattern bound(std::string_view prefix, std::string_view run_id) const;

  // The captured parts when `key` has this shape, each capture non-empty;
  // nullopt otherwise. Call on a bound pattern.
  std::optional<Parts> match(std::string_view key) const;

  // The literal text before the first capture (the whole key if none).
  std::string literal_head() const;
  bool has(std::string_view placeholder) const;

 private:
  enum class Slot { literal, prefix, run_id, user_id, agent_id };
  struct Piece {
    Slot slot{Slot::literal};
    std::string text;  // literals only
  };

  KeyPattern() = default;
  static bool is_capture(Slot slot) { return slot == Slot::user_id || slot == Slot::agent_id; }

  std::vector<Piece> pieces_;
};

}  // namespace cast
