// cast-worker: one worker process. Usually started by `cast run` on this
// host, or by hand / a container on another host for distributed runs.
#include <absl/synchronization/mutex.h>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>

#include "common/log/logging.h"
#include "worker/process/worker_run.h"
#include "worker/process/worker_secrets.h"

namespace {

struct SecretFlags {
  std::string token, token_file;
  std::string tls_ca, tls_cert, tls_key;  // paths
};

// The token and TLS material, read from where the flags point.
void load_secrets(const SecretFlags& flags, cast::worker::WorkerOptions& options) {
  using namespace cast::worker;
  options.auth_token = resolve_worker_token(flags.token, flags.token_file, std::getenv("CAST_WORKER_TOKEN"));
  if (flags.tls_cert.empty() != flags.tls_key.empty()) {
    throw SecretError("--tls-cert/--tls-key: a worker certificate needs both the certificate and its private key");
  }
  options.tls_ca = read_pem_file(flags.tls_ca, "TLS CA");
  options.tls_cert = read_pem_file(flags.tls_cert, "TLS certificate");
  options.tls_key = read_pem_file(flags.tls_key, "TLS private key");
}

void add_tls_flags(CLI::App& app, SecretFlags& secrets, cast::worker::WorkerOptions& options) {
  app.add_option("--tls-ca", secrets.tls_ca, "PEM CA that signed the controller's certificate; dials with TLS");
  app.add_option("--tls-server-name", options.tls_server_name,
                 "name the controller's certificate must carry (default: the host of --controller)");
  app.add_option("--tls-cert", secrets.tls_cert, "PEM certificate of this worker, for mutual TLS; dials with TLS");
  app.add_option("--tls-key", secrets.tls_key, "PEM private key of --tls-cert");
}

// The deadline for a silent controller: longer where the controller may
// stall (a slow link, a sanitizer build), never shorter than a few Pings.
void add_liveness_flag(CLI::App& app, cast::worker::WorkerOptions& options) {
  auto* silence = app.add_option_function<long long>(
      "--controller-silence-ms",
      [&options](long long ms) { options.controller_silence = std::chrono::milliseconds{ms}; },
      "ms without a word from the controller before it is taken for dead and the users stop (default 2000)");
  silence->envname("CAST_CONTROLLER_SILENCE_MS")->check(CLI::Range(500LL, 60'000LL));
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
  add_tls_flags(app, secrets, options);
  add_liveness_flag(app, options);
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
