// cast-worker: one worker process. Usually started by `cast run` on this
// host, or by hand / a container on another host for distributed runs.
#include <CLI/CLI.hpp>
#include <absl/synchronization/mutex.h>

#include <cstdlib>
#include <iostream>

#include "common/log/logging.h"
#include "worker/process/worker_run.h"
#include "worker/process/worker_secrets.h"

namespace {

struct SecretFlags {
  std::string token, token_file;
};

// The token, read from where the flags point.
void load_secrets(const SecretFlags& flags, cast::worker::WorkerOptions& options) {
  using namespace cast::worker;
  options.auth_token = resolve_worker_token(flags.token, flags.token_file, std::getenv("CAST_WORKER_TOKEN"));
}

}  // namespace

int main(int argc, char** argv) {
  // Debian's absl runs deadlock detection on every absl::Mutex, i.e. on
  // every lock gRPC takes (GraphCycles::GetId showed in profiles): a global
  // graph update per lock. cast's own locks are std:: ones; nothing of ours
  // relies on it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  CLI::App app{"cast-worker - runs virtual users for a cast controller"};
  cast::worker::WorkerOptions options;
  SecretFlags secrets;
  bool verbose = false;
  app.add_option("--controller", options.controller_address, "controller address host:port")->required();
  app.add_option("--worker-id", options.worker_id, "stable worker name (default host-pid)");
  app.add_option("--token-file", secrets.token_file, "file holding the shared secret (else CAST_WORKER_TOKEN)");
  app.add_option("--token", secrets.token, "shared secret; visible in ps, prefer CAST_WORKER_TOKEN or --token-file");
  app.add_option("--capacity", options.capacity, "users this worker will run")->check(CLI::Range(1u, 1'000'000u));
  app.add_option("--threads", options.threads, "event-loop threads")->check(CLI::Range(1u, 256u));
  app.add_flag("--verbose", verbose, "debug logging");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  cast::init_logging("worker", verbose ? cast::LogLevel::debug : cast::LogLevel::info);
  try {
    load_secrets(secrets, options);
  } catch (const cast::worker::SecretError& e) {
    std::cerr << "cast-worker: " << e.what() << "\n";
    return 2;
  }
  return cast::worker::run_worker(options);
}
