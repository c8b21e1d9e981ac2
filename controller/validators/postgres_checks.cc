// PostgreSQL: one agents row per agent the harness saw, owned by its
// starter, with nobody else's data in it; messages owned like their agent.

#include <algorithm>
#include <unordered_set>

#include "controller/analysis/excerpt.h"
#include "controller/validators/store_checks.h"

namespace cast::controller::validators_detail {
namespace {

constexpr const char* store = "postgres";

struct RowFields {
  const std::string& agent_id;
  const std::string& user_id;
};

RowFields fields_of(CheckContext& context, const StoreRow& row, const std::string& query) {
  const auto& url = context.scope().stores.postgres;
  return {column_of(row, "agent_id", store, url, query), column_of(row, "user_id", store, url, query)};
}

void scan_content(CheckContext& context, const StoreRow& row, const std::string& where,
                  std::optional<std::size_t> owner) {
  for (const auto& [name, value] : row) {
    if (name != "agent_id" && name != "user_id") {
      context.report_foreign(FindingKind::foreign_data_in_row, store, where, name, value, owner);
    }
  }
}

// A row for an agent nobody in this run was told about: the platform made
// it up, or wrote it under this run for someone else.
void report_unknown(CheckContext& context, const StoreRow& row, const RowFields& fields, const std::string& where) {
  context.add(FindingKind::unknown_row, store, where, fields.user_id, marked_column(row, "agent_id"));
  scan_content(context, row, where, context.index_of(fields.user_id));
}

void check_agent_row(CheckContext& context, const StoreRow& row, std::unordered_set<std::string>& seen) {
  const auto fields = fields_of(context, row, context.layout().postgres.agents_query);
  const auto where = "agents/" + fields.agent_id;
  seen.insert(fields.agent_id);
  const auto starter = context.starter_of(fields.agent_id);
  if (!starter) {
    return report_unknown(context, row, fields, where);
  }
  if (fields.user_id != context.user_id(*starter)) {
    context.add(FindingKind::wrong_owner_row, store, where, context.user_id(*starter), marked_column(row, "user_id"));
  }
  scan_content(context, row, where, starter);
}

void check_message_row(CheckContext& context, const StoreRow& row) {
  const auto fields = fields_of(context, row, context.layout().postgres.messages_query);
  const auto where = "agent_messages/" + fields.agent_id;
  const auto starter = context.starter_of(fields.agent_id);
  if (!starter) {
    return report_unknown(context, row, fields, where);
  }
  if (fields.user_id != context.user_id(*starter)) {
    context.add(FindingKind::wrong_owner_message, store, where, context.user_id(*starter),
                marked_column(row, "user_id"));
  }
  scan_content(context, row, where, starter);
}

void report_missing(CheckContext& context, const std::unordered_set<std::string>& seen) {
  std::vector<std::pair<std::string, std::size_t>> missing;
  for (const auto& [agent_id, starter] : context.harness().agent_starter) {
    if (!seen.contains(agent_id) && starter < context.users().size()) {
      missing.emplace_back(agent_id, starter);
    }
  }
  std::sort(missing.begin(), missing.end());
  for (const auto& [agent_id, starter] : missing) {
    const auto text = "no agents row for " + agent_id + " started by " + context.user_id(starter);
    context.add(FindingKind::missing_row, store, "agents/" + agent_id, context.user_id(starter),
                mark_excerpt(text, text.find(agent_id), agent_id.size(), text.size()));
  }
}

}  // namespace

void check_postgres(CheckContext& context) {
  const auto& url = context.scope().stores.postgres;
  const auto& layout = context.layout().postgres;
  const auto agents = postgres_select(url, layout.agents_query, {context.scope().run_id});
  const auto messages = postgres_select(url, layout.messages_query, {context.scope().run_id});
  context.report().postgres_rows = agents.size() + messages.size();
  std::unordered_set<std::string> seen;
  for (const auto& row : agents) {
    check_agent_row(context, row, seen);
  }
  report_missing(context, seen);
  for (const auto& row : messages) {
    check_message_row(context, row);
  }
}

}  // namespace cast::controller::validators_detail
