#include "controller/validators/redis_key_census.h"

#include "common/protocol/key_pattern.h"
#include "controller/validators/store_access.h"

namespace cast::controller {
namespace {

bool is_run_id_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

}  // namespace

bool key_names_run(std::string_view key, std::string_view run_id) {
  if (run_id.empty()) {
    return false;
  }
  for (auto at = key.find(run_id); at != std::string_view::npos; at = key.find(run_id, at + 1)) {
    const auto end = at + run_id.size();
    if ((at == 0 || !is_run_id_char(key[at - 1])) && (end == key.size() || !is_run_id_char(key[end]))) {
      return true;
    }
  }
  return false;
}

std::string run_keys_glob(const RedisLayout& layout, const std::string& prefix, const std::string& run_id) {
  return redis_glob_escape(KeyPattern{layout.run_keys}.bound(prefix, run_id).literal_head()) + "*";
}

RedisKeyCensus RedisKeyCensus::take(const std::string& redis_url, const RedisLayout& layout, const std::string& prefix,
                                    const std::string& run_id) {
  RedisSession redis{redis_url};
  RedisKeyCensus census;
  // Two reads, not one atomic count: take it while the run's writers are
  // quiet (before the start, after the session) so they agree.
  census.run_keys = redis.scan(run_keys_glob(layout, prefix, run_id)).size();
  census.all_keys = static_cast<std::uint64_t>(redis.command({"DBSIZE"}).integer);
  return census;
}

}  // namespace cast::controller
