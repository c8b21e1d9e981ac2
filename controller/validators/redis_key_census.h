#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "controller/config/persistence_layout.h"

namespace cast::controller {

// How many keys a Redis database holds outside a run's own key space. Taken
// at run start and again in the persistence phase: keys that appeared
// outside the run's prefix meanwhile were written where no cleanup by run
// id can find them.
struct RedisKeyCensus {
  std::uint64_t all_keys{0};  // DBSIZE
  std::uint64_t run_keys{0};  // under the run's `run_keys` prefix

  std::uint64_t outside() const { return all_keys > run_keys ? all_keys - run_keys : 0; }

  // Throws StoreError naming the server when Redis cannot be asked.
  static RedisKeyCensus take(const std::string& redis_url, const RedisLayout& layout, const std::string& prefix,
                             const std::string& run_id);
};

// Whether `key` holds `run_id` as a whole word: not glued to further
// [a-z0-9-] characters, so `run-1` is not named by `run-12` or `run-1x`.
bool key_names_run(std::string_view key, std::string_view run_id);

// The run's key space as a SCAN MATCH pattern: `run_keys` bound and escaped, then `*`.
std::string run_keys_glob(const RedisLayout& layout, const std::string& prefix, const std::string& run_id);

}  // namespace cast::controller
