#include "controller/validators/persistence_validator.h"

#include <stdexcept>

#include "controller/analysis/excerpt.h"
#include "controller/validators/store_checks.h"

namespace cast::controller {
namespace validators_detail {

CheckContext::CheckContext(const std::vector<PlannedUser>& users, const HarnessView& harness,
                           const PersistenceScope& scope, const PersistenceLayout& layout, PersistenceReport& report)
    : users_(users),
      harness_(harness),
      scope_(scope),
      layout_(layout),
      report_(report),
      index_(users),
      scanner_(users, scope.run_id, scope.run_key) {}

std::optional<std::size_t> CheckContext::starter_of(const std::string& agent_id) const {
  const auto found = harness_.agent_starter.find(agent_id);
  if (found == harness_.agent_starter.end() || found->second >= users_.size()) {
    return std::nullopt;
  }
  return found->second;
}

void CheckContext::add(FindingKind kind, const std::string& channel, std::string where, std::string owner,
                       std::string excerpt) {
  report_.findings.push_back(Finding{.kind = kind,
                                     .test_case = TestCaseId::state_persistence,
                                     .observer = channel,
                                     .owner = std::move(owner),
                                     .channel = channel,
                                     .where = std::move(where),
                                     .excerpt = std::move(excerpt),
                                     .t_s = scope_.t_s});
}

void CheckContext::report_foreign(FindingKind kind, const std::string& channel, const std::string& where,
                                  std::string_view label, std::string_view text, std::optional<std::size_t> owner) {
  for (const auto& value : scanner_.foreign_in(text, owner)) {
    const auto whose = value.owner_index ? user_id(*value.owner_index) : "(" + value.what + ")";
    const auto holder = owner ? " of " + user_id(*owner) : std::string{};
    add(kind, channel, where + holder, whose,
        std::string(label) + ": " + value.what + " " + mark_excerpt(text, value.offset, value.length));
  }
}

std::string marked_column(const StoreRow& row, std::string_view column) {
  std::string text;
  std::size_t offset = 0;
  std::size_t length = 0;
  for (const auto& [name, value] : row) {
    text += (text.empty() ? "" : " ") + name + "=";
    if (name == column) {
      offset = text.size();
      length = value.size();
    }
    text += value;
  }
  return mark_excerpt(text, offset, length, 80);
}

const std::string& column_of(const StoreRow& row, std::string_view column, const std::string& store,
                             const std::string& url, const std::string& query) {
  for (const auto& [name, value] : row) {
    if (name == column) {
      return value;
    }
  }
  throw StoreError(store, url, query, "the answer has no column '" + std::string(column) + "'");
}

}  // namespace validators_detail

PersistenceReport validate_persistence(const std::vector<PlannedUser>& users, const HarnessView& harness,
                                       const PersistenceScope& scope, const PersistenceLayout& layout) {
  if (!is_safe_run_id(scope.run_id)) {
    throw std::invalid_argument("persistence check: unsafe run id '" + scope.run_id + "' (want [a-z0-9-], 1-64)");
  }
  check_persistence_layout(layout, "persistence");
  PersistenceReport report;
  validators_detail::CheckContext context{users, harness, scope, layout, report};
  if (!scope.stores.postgres.empty()) {
    validators_detail::check_postgres(context);
  }
  if (!scope.stores.redis.empty()) {
    validators_detail::check_redis(context);
  }
  if (!scope.stores.clickhouse.empty()) {
    validators_detail::check_clickhouse(context);
  }
  return report;
}

}  // namespace cast::controller
