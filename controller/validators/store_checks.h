#pragma once

// Private to controller/validators: what the three store checks share.

#include <optional>
#include <string>
#include <string_view>

#include "controller/plan/population_index.h"
#include "controller/validators/foreign_data.h"
#include "controller/validators/persistence_validator.h"
#include "controller/validators/store_access.h"

namespace cast::controller::validators_detail {

class CheckContext {
 public:
  CheckContext(const std::vector<PlannedUser>& users, const HarnessView& harness, const PersistenceScope& scope,
               const PersistenceLayout& layout, PersistenceReport& report);

  const HarnessView& harness() const { return harness_; }
  const PersistenceScope& scope() const { return scope_; }
  const PersistenceLayout& layout() const { return layout_; }
  PersistenceReport& report() { return report_; }
  const std::vector<PlannedUser>& users() const { return users_; }

  std::optional<std::size_t> starter_of(const std::string& agent_id) const;
  std::optional<std::size_t> index_of(std::string_view user_id) const { return index_.by_user_id(user_id); }
  const std::string& user_id(std::size_t index) const { return users_[index].user_id; }

  // `channel` is the store's name, which is also the observer.
  void add(FindingKind kind, const std::string& channel, std::string where, std::string owner, std::string excerpt);

  // One finding of `kind` per foreign owner found in `text`, which belongs
  // to `owner` (nullopt: nobody, so every user's value is foreign).
  // `label` names the text in the excerpt (a column, a field).
  void report_foreign(FindingKind kind, const std::string& channel, const std::string& where, std::string_view label,
                      std::string_view text, std::optional<std::size_t> owner);
  std::vector<ForeignValue> foreign_in(std::string_view text, std::optional<std::size_t> owner) const {
    return scanner_.foreign_in(text, owner);
  }

 private:
  const std::vector<PlannedUser>& users_;
  const HarnessView& harness_;
  const PersistenceScope& scope_;
  const PersistenceLayout& layout_;
  PersistenceReport& report_;
  PopulationIndex index_;
  ForeignDataScanner scanner_;
};

// `row` as `name=value` pairs with the value of `column` marked.
std::string marked_column(const StoreRow& row, std::string_view column);
// The value of `column`; StoreError for `store` and `query` when it is absent.
const std::string& column_of(const StoreRow& row, std::string_view column, const std::string& store,
                             const std::string& url, const std::string& query);

// A Redis key's contents as text, whatever its type; hashes as `field: value` lines.
std::string contents_of(RedisSession& redis, const std::string& key, const std::string& type);
// Keys naming the run outside `scope`, and growth of the keys outside it.
void check_redis_outside(CheckContext& context, RedisSession& redis, const std::string& scope);

void check_postgres(CheckContext& context);
void check_redis(CheckContext& context);
void check_clickhouse(CheckContext& context);

}  // namespace cast::controller::validators_detail
