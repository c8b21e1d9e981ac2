// Redis outside the run's prefix: keys that name the run there, and keys
// that appeared there during the run without naming it. Neither can be
// found again by prefix, so a platform writing them leaks data past the
// cleanup of its tenants.

#include <algorithm>

#include "controller/analysis/excerpt.h"
#include "controller/validators/store_checks.h"

namespace cast::controller::validators_detail {
namespace {

constexpr const char* store = "redis";

std::vector<std::string> keys_naming_run(RedisSession& redis, const std::string& run_id, const std::string& scope) {
  auto keys = redis.scan("*" + redis_glob_escape(run_id) + "*");
  std::erase_if(keys, [&](const std::string& key) { return key.starts_with(scope) || !key_names_run(key, run_id); });
  return keys;
}

std::string owners_in(CheckContext& context, const std::string& text) {
  std::string owners;
  for (const auto& value : context.foreign_in(text, std::nullopt)) {
    owners += (owners.empty() ? "" : ",") + (value.owner_index ? context.user_id(*value.owner_index) : value.what);
  }
  return owners;
}

void report_growth(CheckContext& context, const RedisKeyCensus& before, const RedisKeyCensus& after,
                   std::size_t naming_run, const std::string& scope) {
  const auto grown = after.outside() > before.outside() ? after.outside() - before.outside() : 0;
  if (grown <= naming_run) {
    return;
  }
  const auto count = std::to_string(grown - naming_run);
  const auto text = count + " keys appeared outside " + scope +
                    "* during the run without naming it (outside: " + std::to_string(before.outside()) + " before, " +
                    std::to_string(after.outside()) + " after)";
  context.add(FindingKind::key_outside_prefix, store, "outside " + scope + "*", "",
              mark_excerpt(text, 0, count.size(), text.size()));
}

}  // namespace

void check_redis_outside(CheckContext& context, RedisSession& redis, const std::string& scope) {
  const auto& run_id = context.scope().run_id;
  auto& report = context.report();
  report.keys_outside_prefix = keys_naming_run(redis, run_id, scope);
  for (const auto& key : report.keys_outside_prefix) {
    const auto type = redis.command({"TYPE", key}).text;
    context.add(FindingKind::key_outside_prefix, store, key, owners_in(context, contents_of(redis, key, type)),
                mark_excerpt(key, key.find(run_id), run_id.size(), 120));
  }
  RedisKeyCensus after{.all_keys = static_cast<std::uint64_t>(redis.command({"DBSIZE"}).integer),
                       .run_keys = report.redis_keys};
  report.redis_after = after;
  if (context.layout().redis.count_keys_outside && context.scope().redis_before) {
    report_growth(context, *context.scope().redis_before, after, report.keys_outside_prefix.size(), scope);
  }
}

}  // namespace cast::controller::validators_detail
