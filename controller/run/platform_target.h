#pragma once

#include <sys/types.h>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "controller/config/run_config.h"

namespace cast::controller {

class EmbeddedEnvironment;
class ReferencePlatform;

// The platform or one of its services could not be reached (exit code 3).
class PlatformUnreachable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PlatformEndpoints {
  std::string auth_url;
  std::string backend_url;
  std::string ws_url;
  std::string postgres_url;    // empty: not checked
  std::string redis_url;       // empty: not checked
  std::string clickhouse_url;  // empty: not checked
  std::string redis_prefix;
  std::vector<pid_t> local_pids;  // platform processes on this host (embedded default)
  bool embedded{false};
  // The platform's JWT signing secret when known (always for the embedded
  // default, which the controller starts with it); empty otherwise. Never logged.
  std::string jwt_secret;
};

// What a run is aimed at: the embedded default (private stores + reference
// platform, started here and torn down with this object) or a platform
// given by URL, checked to answer before any user starts.
class PlatformTarget {
 public:
  // Throws PlatformUnreachable naming the service and URL.
  static std::unique_ptr<PlatformTarget> open(const RunConfig& config);
  ~PlatformTarget();

  const PlatformEndpoints& endpoints() const { return endpoints_; }

 private:
  PlatformTarget() = default;
  void start_embedded(const RunConfig& config);
  void check_external(const RunConfig& config);

  std::unique_ptr<EmbeddedEnvironment> environment_;
  std::unique_ptr<ReferencePlatform> platform_;
  PlatformEndpoints endpoints_;
};

}  // namespace cast::controller
