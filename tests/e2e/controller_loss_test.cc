// A controller lost at each phase of a run, with real processes over real
// gRPC: killed (SIGKILL: the kernel resets the connections) or stopped
// (SIGSTOP: the connections stay up and nothing arrives, as behind a cut
// link). The platform runs apart from the controller, so it outlives it:
// every worker must stop its load within 5 s and exit non-zero, and the
// platform must see no connection and no message after that.
#include <doctest/doctest.h>

#include <csignal>
#include <deque>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/net/http_client.h"
#include "common/process/loopback_port.h"
#include "tests/support/eventually.h"
#include "tests/support/liveness_env.h"
#include "tests/support/reference_platform.h"
#include "tests/support/run_processes.h"
#include "tests/support/time_scale.h"

using namespace std::chrono_literals;
using namespace cast::test;

namespace {

using Steady = std::chrono::steady_clock;

const std::string kToken = "e2e-controller-loss-secret";
// The promise: no load 5 s after the controller's death, i.e. its 2 s
// silence deadline and 3 s more (stretched with the deadline under TSan).
const auto kStopBound = scaled_controller_silence() + 3s;

// One figure of the backend's Prometheus exposition ("name value").
double metric(const ReferencePlatform& platform, const std::string& name) {
  std::istringstream text{cast::http_get(platform.backend_url() + "/metrics").body};
  for (std::string line; std::getline(text, line);) {
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  }
  FAIL("no metric " << name << " in the backend's /metrics");
  return 0;
}

// `cast controller` with two separately started workers, against a
// reference platform of the test's own (in-memory stores).
struct ControllerLossRun {
  // `yaml`, when given, is the controller's --config file.
  explicit ControllerLossRun(std::vector<std::string> flags, int users = 20, const std::string& yaml = "",
                             int expected_workers = 2)
      : dir(fresh_folder("cast-e2e-controller-loss")),
        address("127.0.0.1:" + std::to_string(cast::free_loopback_port())) {
    if (!yaml.empty()) {
      std::ofstream{dir / "cast.yaml"} << yaml;
      flags.insert(flags.end(), {"--config", (dir / "cast.yaml").string()});
    }
    auto spec = cast_controller_spec(address, kToken, dir, expected_workers, users, flags);
    spec.env.insert({{"E2E_AUTH_SERVICE_URL", platform.auth_url()},
                     {"E2E_BACKEND_URL", platform.backend_url()},
                     {"E2E_WEBSOCKET_URL", platform.ws_url()}});
    controller.emplace(spec);
    workers.emplace_back(cast_worker_spec(address, kToken, "remote-1", dir / "w1.txt", {}, users));
    workers.emplace_back(cast_worker_spec(address, kToken, "remote-2", dir / "w2.txt", {}, users));
  }
  ~ControllerLossRun() {
    for (auto& worker : workers) worker.terminate(2s);
    controller->signal_group(SIGCONT);
    controller->terminate(2s);
    std::filesystem::remove_all(dir);
  }
  // Once `log` holds `when` (and `after` more), signals the controller.
  void hit_controller(const std::filesystem::path& log, const std::string& when, int sig,
                      std::chrono::milliseconds after = 0ms) {
    REQUIRE(wait_for_line(log, when));
    std::this_thread::sleep_for(after);
    signalled = Steady::now();
    controller->signal_group(sig);
  }
  // Seconds from the signal to each worker's exit, with its exit code;
  // waits at most 10 s past the bound for each.
  std::vector<std::pair<double, int>> worker_exits() {
    std::vector<std::pair<double, int>> exits;
    for (auto& worker : workers) {
      auto status = worker.wait_for(kStopBound + 10s);
      REQUIRE_MESSAGE(status.has_value(), "a worker still runs 10 s past the bound after its controller was lost");
      exits.emplace_back(std::chrono::duration<double>(Steady::now() - signalled).count(), status->code);
    }
    return exits;
  }
  std::string worker_logs() { return slurp_file(dir / "w1.txt") + slurp_file(dir / "w2.txt"); }

  ReferencePlatform platform;
  std::filesystem::path dir;
  std::string address;
  std::optional<cast::ChildProcess> controller;
  std::deque<cast::ChildProcess> workers;  // a deque: ChildProcess never moves
  Steady::time_point signalled;
};

// Every worker gone within the bound and non-zero; reported as measured.
void check_workers_stopped(ControllerLossRun& run, const char* what) {
  auto exits = run.worker_exits();
  INFO(run.worker_logs());
  for (auto [seconds, code] : exits) {
    MESSAGE(std::string(what) << ": worker exited " << code << " after " << seconds << " s");
    // The first worker is waited for first, so the second's time is an upper bound.
    CHECK(seconds < std::chrono::duration<double>(kStopBound).count());
    CHECK(code == 4);
  }
  CHECK(run.worker_logs().find("taken for dead") != std::string::npos);
  // Stopped by the worker itself, not by its last resort (OrphanGuard).
  CHECK(run.worker_logs().find("ending the process") == std::string::npos);
}

// After the workers exited the platform sees nothing more from them: no
// connection stays open, no message is answered.
void check_platform_quiet(ControllerLossRun& run) {
  std::this_thread::sleep_for(500ms);  // the backend notices the last closes
  double messages = metric(run.platform, "agent_messages_total");
  std::this_thread::sleep_for(1500ms);
  CHECK(metric(run.platform, "agent_active_connections") == 0);
  CHECK(metric(run.platform, "agent_messages_total") == messages);
}

}  // namespace

TEST_CASE("a controller killed while its workers wait for the go's instant: every worker exits 4 within 5 s") {
  // The Go names an instant 60 s away: the workers hold it, prepared, waiting.
  ControllerLossRun run({"--performance-only"}, 20, "timeouts:\n  start_offset_ms: 60000\n");
  run.hit_controller(run.dir / "run.log", "go: every user starts", SIGKILL, 300ms);
  check_workers_stopped(run, "SIGKILL while waiting for the start");
  CHECK(metric(run.platform, "agent_active_connections") == 0);
}

TEST_CASE("a controller stopped before it assigns any user: its attached workers exit non-zero within 5 s") {
  // Three expected, two come: the controller waits for the third, pinging.
  ControllerLossRun run({"--performance-only"}, 20, "", 3);
  REQUIRE(wait_for_line(run.dir / "run.log", "worker remote-2 attached"));
  std::this_thread::sleep_for(300ms);
  run.signalled = Steady::now();
  run.controller->signal_group(SIGSTOP);
  for (auto& worker : run.workers) {
    auto status = worker.wait_for(kStopBound + 10s);
    REQUIRE(status.has_value());
    double seconds = std::chrono::duration<double>(Steady::now() - run.signalled).count();
    MESSAGE("SIGSTOP before the assignment: worker exited " << status->code << " after " << seconds << " s");
    CHECK(seconds < std::chrono::duration<double>(kStopBound).count());
    CHECK(status->code == 3);  // no assignment: nothing ever started
  }
}

TEST_CASE("a controller killed or stopped while the users hold their connections: every worker stops within 5 s") {
  for (int sig : {SIGKILL, SIGSTOP}) {
    CAPTURE(sig);
    // A hold of 30 s (times the scale) keeps every user connected and
    // talking when the signal lands, and until the workers stop them.
    auto hold = std::chrono::duration_cast<std::chrono::seconds>(scaled(30s));
    ControllerLossRun run(
        {"--performance-only", "--hold", std::to_string(hold.count()), "--timeout", std::to_string(hold.count() + 90)},
        10);
    REQUIRE(wait_for_line(run.dir / "run.log", "go: every user starts"));
    // The go names an instant ahead and the users then log in and connect:
    // the signal waits for the load the controller will leave behind.
    CHECK(eventually([&] { return metric(run.platform, "agent_active_connections") > 0; }, scaled(10s)));
    run.hit_controller(run.dir / "run.log", "go: every user starts", sig);
    check_workers_stopped(run, sig == SIGKILL ? "SIGKILL while running" : "SIGSTOP while running");
    check_platform_quiet(run);
  }
}

TEST_CASE("a controller killed or stopped in the probe phase: every worker stops its probes within 5 s") {
  for (int sig : {SIGKILL, SIGSTOP}) {
    CAPTURE(sig);
    ControllerLossRun run({}, 40);
    run.hit_controller(run.dir / "w2.txt", "worker: probe round 1", sig);
    check_workers_stopped(run, sig == SIGKILL ? "SIGKILL while probing" : "SIGSTOP while probing");
    check_platform_quiet(run);
  }
}
