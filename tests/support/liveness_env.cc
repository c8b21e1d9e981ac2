#include "tests/support/liveness_env.h"

#include "common/protocol/timeouts.h"
#include "controller/config/run_config.h"
#include "tests/support/time_scale.h"

namespace cast::test {

std::chrono::milliseconds scaled_worker_silence() { return scaled(controller::RunConfig{}.worker_silence); }

std::chrono::milliseconds scaled_reconnect_grace() { return scaled(controller::RunConfig{}.reconnect_grace); }

std::chrono::milliseconds scaled_controller_silence() { return scaled(defaults::kControllerSilence); }

void add_scaled_liveness(std::map<std::string, std::string>& env) {
  if (time_scale() <= 1.0) return;
  env.emplace("CAST_WORKER_SILENCE_MS", std::to_string(scaled_worker_silence().count()));
  env.emplace("CAST_RECONNECT_GRACE_MS", std::to_string(scaled_reconnect_grace().count()));
  env.emplace("CAST_CONTROLLER_SILENCE_MS", std::to_string(scaled_controller_silence().count()));
}

}  // namespace cast::test
