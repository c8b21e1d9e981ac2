// ClickHouse: each startup metric attributed to the user who started the
// agent, and as many rows per user as agents that user saw start.

#include <chrono>
#include <map>
#include <numeric>
#include <thread>

#include "controller/analysis/excerpt.h"
#include "controller/validators/store_checks.h"

namespace cast::controller::validators_detail {
namespace {

constexpr const char* store = "clickhouse";
constexpr const char* table_where = "agent_startup_metrics";
constexpr std::chrono::milliseconds settle_poll{200};

std::string metrics_query(const CheckContext& context) {
  auto query = context.layout().clickhouse.metrics_query;
  const auto literal = clickhouse_literal(context.scope().run_id);
  for (auto at = query.find("{run_id}"); at != std::string::npos; at = query.find("{run_id}", at + literal.size())) {
    query.replace(at, 8, literal);
  }
  return query;
}

void check_row(CheckContext& context, const StoreRow& row, const std::string& query) {
  const auto& url = context.scope().stores.clickhouse;
  const auto& user_id = column_of(row, "user_id", store, url, query);
  const auto& agent_id = column_of(row, "agent_id", store, url, query);
  const auto where = std::string(table_where) + "/" + agent_id;
  const auto starter = context.starter_of(agent_id);
  if (!starter) {
    context.add(FindingKind::unknown_metric, store, where, user_id, marked_column(row, "agent_id"));
  } else if (user_id != context.user_id(*starter)) {
    context.add(FindingKind::misattributed_metric, store, where, context.user_id(*starter),
                marked_column(row, "user_id"));
  }
}

void report_count(CheckContext& context, const std::string& user_id, std::size_t rows, std::size_t started) {
  if (rows == started) {
    return;
  }
  const auto count = std::to_string(rows);
  const auto text = count + " metric rows for " + user_id + ", who saw " + std::to_string(started) + " agents start";
  context.add(FindingKind::metric_count_mismatch, store, std::string(table_where) + " user_id=" + user_id, user_id,
              mark_excerpt(text, 0, count.size(), text.size()));
}

void check_counts(CheckContext& context, std::map<std::string, std::size_t> rows_per_user) {
  const auto& started = context.harness().agents_started;
  for (const auto& user : context.users()) {
    const auto rows = rows_per_user.find(user.user_id);
    report_count(context, user.user_id, rows == rows_per_user.end() ? 0 : rows->second,
                 user.index < started.size() ? started[user.index] : 0);
    if (rows != rows_per_user.end()) {
      rows_per_user.erase(rows);
    }
  }
  for (const auto& [user_id, rows] : rows_per_user) {
    report_count(context, user_id, rows, 0);  // a user id this run never planned
  }
}

// Re-reads until the rows cover every agent the harness saw start, or the
// settle time is up; late rows are the platform's batching, not a defect.
std::vector<StoreRow> settled_rows(const CheckContext& context, const std::string& query) {
  const auto& started = context.harness().agents_started;
  const auto expected = std::accumulate(started.begin(), started.end(), std::size_t{0});
  const auto deadline = std::chrono::steady_clock::now() + context.scope().metrics_settle;
  auto rows = clickhouse_select(context.scope().stores.clickhouse, query);
  while (rows.size() < expected && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(settle_poll);
    rows = clickhouse_select(context.scope().stores.clickhouse, query);
  }
  return rows;
}

}  // namespace

void check_clickhouse(CheckContext& context) {
  const auto query = metrics_query(context);
  const auto rows = settled_rows(context, query);
  context.report().clickhouse_rows = rows.size();
  std::map<std::string, std::size_t> rows_per_user;
  for (const auto& row : rows) {
    check_row(context, row, query);
    ++rows_per_user[column_of(row, "user_id", store, context.scope().stores.clickhouse, query)];
  }
  check_counts(context, std::move(rows_per_user));
}

}  // namespace cast::controller::validators_detail
