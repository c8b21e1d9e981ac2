#pragma once

// The reference platform's deliberate misbehaviours (protocol.md, "Fault
// modes"), how they are named on the command line, and the seeded dice that
// decide which events each one strikes.

#include <array>
#include <cstdint>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cast::reference {

enum class Fault {
  shared_context,
  misroute,
  no_authz,
  id_collision,
  unscoped_cache,
  wrong_owner_row,
  redis_unprefixed,
  metrics_misattributed,
  broadcast,
  cancel_corruption,
  jwt_none,
  slow_start,
  drop_connections,
  tenant_scoped_authz,
  jwt_ignore_exp,
  jwt_ignore_nbf,
  jwt_ignore_aud,
  jwt_ignore_kid,
  header_leak,
};

inline constexpr std::size_t kFaultCount = 19;

struct FaultInfo {
  Fault fault;
  std::string_view name;
  double default_rate;      // share of eligible events struck when no RATE is given
  std::string_view event;   // what an eligible event is
  std::string_view breaks;  // what goes wrong, for --help
};

const std::array<FaultInfo, kFaultCount>& fault_catalogue();
std::string_view to_string(Fault fault);

struct FaultSpec {
  Fault fault{Fault::shared_context};
  double rate{1.0};  // share of eligible events, in [0, 1]
};

class FaultSpecError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Parses "NAME" or "NAME:RATE"; throws FaultSpecError naming the bad part.
FaultSpec parse_fault_spec(std::string_view text);

// One paragraph per fault for --help.
std::string fault_help();

// Which faults are on and how often they strike. Thread-safe: every roll
// comes from one seeded generator, so a run with --seed is reproducible as
// far as the order of events allows.
class FaultPlan {
 public:
  explicit FaultPlan(const std::vector<FaultSpec>& specs = {}, std::uint64_t seed = 0);

  bool enabled(Fault fault) const;
  double rate(Fault fault) const;  // 0 when off
  // True for a share `rate` of calls; never when the fault is off.
  bool strikes(Fault fault);
  // Uniform in [low, high].
  std::int64_t uniform(std::int64_t low, std::int64_t high);
  std::string describe() const;  // "misroute:0.30 no_authz:1.00" or "none"

 private:
  std::array<double, kFaultCount> rates_{};  // negative: off
  std::mutex mutex_;
  std::mt19937_64 rng_;
};

}  // namespace cast::reference
