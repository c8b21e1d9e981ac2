#pragma once

#include <optional>
#include <string>
#include <vector>

#include "controller/analysis/run_record.h"
#include "controller/config/run_config.h"
#include "controller/plan/population.h"
#include "controller/run/platform_target.h"
#include "controller/validators/redis_key_census.h"

namespace cast::controller {

// Phases 6 and 7 of design.md for the stores the run knows: count Redis
// keys before the go, then read exactly this run's rows and keys, record
// what the validators found in `record.isolation`, and delete this run's
// data (unless --keep-data). A store that cannot be reached is a
// PlatformUnreachable naming it.
class PersistencePhase {
 public:
  PersistencePhase(const RunConfig& config, const PlatformEndpoints& target, std::string run_id, std::string run_key);

  void before_go();
  void after_sessions(RunRecord& record, const std::vector<PlannedUser>& users);

 private:
  bool has_stores() const;

  const RunConfig& config_;
  const PlatformEndpoints& target_;
  std::string run_id_;
  std::string run_key_;
  std::optional<RedisKeyCensus> census_;
};

}  // namespace cast::controller
