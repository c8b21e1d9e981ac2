// Redis: every key under the run's prefix fits the layout, names the user
// who started its agent, and holds nobody else's data; no key of the run
// lives outside the prefix.

#include <algorithm>

#include "common/protocol/key_pattern.h"
#include "controller/analysis/excerpt.h"
#include "controller/validators/store_checks.h"

namespace cast::controller::validators_detail {
namespace {

constexpr const char* store = "redis";

struct KeyLayouts {
  KeyPattern agent;
  KeyPattern user_agents;
  std::string scope;  // literal start of every key of the run
};

std::string joined(const std::vector<RedisValue>& items, std::string_view pair_separator) {
  std::string text;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const bool second_of_pair = !pair_separator.empty() && i % 2 == 1;
    text += i == 0 ? "" : second_of_pair ? std::string(pair_separator) : "\n";
    text += items[i].kind == RedisValue::Kind::integer ? std::to_string(items[i].integer) : items[i].text;
  }
  return text;
}

}  // namespace

std::string contents_of(RedisSession& redis, const std::string& key, const std::string& type) {
  if (type == "hash") {
    return joined(redis.command({"HGETALL", key}).items, ": ");
  }
  if (type == "set") {
    return joined(redis.command({"SMEMBERS", key}).items, "");
  }
  if (type == "string") {
    return redis.command({"GET", key}).text;
  }
  if (type == "list") {
    return joined(redis.command({"LRANGE", key, "0", "-1"}).items, "");
  }
  if (type == "zset") {
    return joined(redis.command({"ZRANGE", key, "0", "-1"}).items, "");
  }
  return {};
}

namespace {

std::string marked_key(const std::string& key, const std::string& part, std::size_t from = 0) {
  const auto at = key.find(part, from);
  return mark_excerpt(key, at == std::string::npos ? 0 : at, at == std::string::npos ? 0 : part.size(), 120);
}

void check_agent_key(CheckContext& context, const std::string& key, const KeyPattern::Parts& parts,
                     const std::string& contents, std::size_t scope_end) {
  const auto starter = context.starter_of(parts.agent_id);
  if (!starter) {
    context.add(FindingKind::unknown_key, store, key, parts.user_id, marked_key(key, parts.agent_id, scope_end));
  } else if (parts.user_id != context.user_id(*starter)) {
    context.add(FindingKind::wrong_owner_key, store, key, context.user_id(*starter),
                marked_key(key, parts.user_id, scope_end));
  }
  context.report_foreign(FindingKind::foreign_data_in_key, store, key, "hash", contents,
                         starter ? starter : context.index_of(parts.user_id));
}

void check_user_agents_key(CheckContext& context, const std::string& key, const KeyPattern::Parts& parts,
                           RedisSession& redis) {
  const auto members = redis.command({"SMEMBERS", key}).items;
  const auto listed = joined(members, "");
  for (const auto& member : members) {
    const auto starter = context.starter_of(member.text);
    const auto at = listed.find(member.text);
    if (!starter) {
      context.add(FindingKind::unknown_key, store, key, parts.user_id,
                  "members: " + mark_excerpt(listed, at, member.text.size()));
    } else if (context.user_id(*starter) != parts.user_id) {
      context.add(FindingKind::wrong_owner_key, store, key, context.user_id(*starter),
                  "members: " + mark_excerpt(listed, at, member.text.size()));
    }
  }
  context.report_foreign(FindingKind::foreign_data_in_key, store, key, "members", listed,
                         context.index_of(parts.user_id));
}

// A key of the run that fits no layout, so nothing in it says whose it is.
void report_unscoped(CheckContext& context, const std::string& key, const std::string& type,
                     const std::string& contents, std::size_t scope_end) {
  const auto inside = context.foreign_in(contents, std::nullopt);
  std::string owners;
  for (const auto& value : inside) {
    owners += (owners.empty() ? "" : ",") + (value.owner_index ? context.user_id(*value.owner_index) : value.what);
  }
  const auto excerpt = inside.empty() ? mark_excerpt(key, scope_end, key.size() - scope_end, 120)
                                      : type + ": " + mark_excerpt(contents, inside[0].offset, inside[0].length);
  context.add(FindingKind::unscoped_key, store, key, owners, excerpt);
}

void check_key(CheckContext& context, RedisSession& redis, const KeyLayouts& layouts, const std::string& key) {
  const auto type = redis.command({"TYPE", key}).text;
  if (const auto parts = layouts.agent.match(key); parts && type == "hash") {
    return check_agent_key(context, key, *parts, contents_of(redis, key, type), layouts.scope.size());
  }
  if (const auto parts = layouts.user_agents.match(key); parts && type == "set") {
    return check_user_agents_key(context, key, *parts, redis);
  }
  if (type == "none") {
    return;  // expired or deleted since SCAN
  }
  report_unscoped(context, key, type, contents_of(redis, key, type), layouts.scope.size());
}

}  // namespace

void check_redis(CheckContext& context) {
  const auto& scope = context.scope();
  const auto& layout = context.layout().redis;
  RedisSession redis{scope.stores.redis};
  const KeyLayouts layouts{KeyPattern{layout.agent_key}.bound(scope.redis_prefix, scope.run_id),
                           KeyPattern{layout.user_agents_key}.bound(scope.redis_prefix, scope.run_id),
                           KeyPattern{layout.run_keys}.bound(scope.redis_prefix, scope.run_id).literal_head()};
  const auto keys = redis.scan(run_keys_glob(layout, scope.redis_prefix, scope.run_id));
  context.report().redis_keys = keys.size();
  for (const auto& key : keys) {
    check_key(context, redis, layouts, key);
  }
  check_redis_outside(context, redis, layouts.scope);
}

}  // namespace cast::controller::validators_detail
