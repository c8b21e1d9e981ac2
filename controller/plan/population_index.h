#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "controller/plan/population.h"

namespace cast::controller {

// Answers "whose is this?" for the identifiers a detector meets on the wire:
// user ids, emails, display names, request ids. Canaries need no table, see
// CanaryAuthority. Built once after planning; read-only afterwards, so any
// number of threads may query it.
class PopulationIndex {
 public:
  explicit PopulationIndex(const std::vector<PlannedUser>& users);

  std::optional<std::size_t> by_user_id(std::string_view user_id) const;
  std::optional<std::size_t> by_email(std::string_view email) const;
  std::optional<std::size_t> by_display_name(std::string_view display_name) const;

  // The owner of `<request_id_prefix><digits>`; nullopt for anything else,
  // including a known prefix with no or a non-decimal sequence number.
  std::optional<std::size_t> owner_of_request_id(std::string_view request_id) const;

  std::size_t size() const { return size_; }

 private:
  // Transparent hashing lets string_view lookups skip building a string.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  using Table = std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>>;

  static std::optional<std::size_t> find(const Table& table, std::string_view key);

  Table user_ids_;
  Table emails_;
  Table display_names_;
  Table request_prefixes_;
  std::size_t size_{0};
};

}  // namespace cast::controller
