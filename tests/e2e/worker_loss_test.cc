// Workers lost at each phase of a `cast controller` run, with real
// processes over real gRPC: killed (SIGKILL: the kernel resets the TCP
// connection) or stopped (SIGSTOP: the connection stays up and nothing
// arrives, as behind a cut link). Each test checks what the run reports
// and prints how long the controller took to notice.
#include <doctest/doctest.h>

#include <csignal>
#include <map>
#include <thread>

#include "common/process/loopback_port.h"
#include "tests/support/liveness_env.h"
#include "tests/support/run_processes.h"
#include "tests/support/time_scale.h"

using namespace std::chrono_literals;
using namespace cast::test;
using nlohmann::json;

namespace {

const std::string kToken = "e2e-liveness-secret";

double seconds_of(std::chrono::milliseconds ms) { return std::chrono::duration<double>(ms).count(); }

// The 2 s target for noticing a lost worker (stretched with the deadlines
// under TSan), with a second of room for a loaded machine.
const double kDetectionBound = seconds_of(scaled(2s)) + 1.0;

// How a TwoWorkerRun starts: the controller's own settings in its
// environment, and whether the first worker waits for start_first().
struct RunStart {
  std::map<std::string, std::string> controller_env;
  bool first_waits = false;
};

// One `cast controller` expecting two separately started workers.
struct TwoWorkerRun {
  explicit TwoWorkerRun(std::vector<std::string> flags, int users = 20, const std::string& stem = "cast-e2e-loss",
                        const RunStart& how = {})
      : dir(fresh_folder(stem)), address("127.0.0.1:" + std::to_string(cast::free_loopback_port())), users(users) {
    auto spec = cast_controller_spec(address, kToken, dir, 2, users, flags);
    for (const auto& [name, value] : how.controller_env) spec.env[name] = value;
    controller.emplace(spec);
    second.emplace(cast_worker_spec(address, kToken, "remote-2", dir / "w2.txt", {}, users));
    if (!how.first_waits) start_first();
  }
  ~TwoWorkerRun() {
    for (auto* process : {&second, &first, &controller}) {
      if (!*process) continue;
      (*process)->signal_group(SIGCONT);
      (*process)->terminate(2s);
    }
    std::filesystem::remove_all(dir);
  }
  void start_first() { first.emplace(cast_worker_spec(address, kToken, "remote-1", dir / "w1.txt", {}, users)); }
  // Stops or kills the second worker once the controller logged `when`;
  // returns the wall-clock instant of the signal.
  WallClock::time_point hit_second_worker(const std::string& when, int sig, std::chrono::milliseconds after = 0ms) {
    REQUIRE(wait_for_line(dir / "run.log", when));
    std::this_thread::sleep_for(after);
    auto at = WallClock::now();
    second->signal_group(sig);
    return at;
  }
  int finish() {
    auto status = controller->wait_for(4min);
    REQUIRE(status.has_value());
    report = json::parse(slurp_file(dir / "report.json"));
    console = slurp_file(dir / "controller.txt");
    return status->code;
  }
  // Seconds from `signalled` to the controller's line saying it lost remote-2.
  double detection_s(WallClock::time_point signalled) {
    auto line = wait_for_line(dir / "run.log", "worker remote-2 lost while", 1s);
    REQUIRE(line);
    auto at = line_time(*line);
    REQUIRE(at);
    return seconds_between(signalled, *at);
  }

  std::filesystem::path dir;
  std::string address;
  int users;
  std::optional<cast::ChildProcess> controller, first, second;
  json report;
  std::string console;
};

const json& test_case(const json& report, const std::string& id) {
  for (const auto& tc : report["test_cases"]) {
    if (tc["id"] == id) return tc;
  }
  FAIL("no test case " << id);
  return report;
}

}  // namespace

TEST_CASE("a worker SIGKILLed mid-startup: lost within 2 s, its users lost, its events kept, the run invalid") {
  // slow_start keeps every agent warming up for 4-9 s: the kill lands mid-startup.
  TwoWorkerRun run({"--reference-fault", "slow_start", "--performance-only"}, 10);
  auto killed = run.hit_second_worker("go: every user starts", SIGKILL, 2s);
  int code = run.finish();
  INFO(run.console);
  double detected = run.detection_s(killed);
  MESSAGE("killed worker detected after " << detected << " s");
  CHECK(detected < kDetectionBound);
  CHECK(code == 4);
  auto lost = report_worker(run.report, "remote-2");
  REQUIRE(lost.is_object());
  CHECK(lost["lost"] == true);
  CHECK(lost["lost_phase"] == "running");
  CHECK(lost["users"] == 5);
  CHECK(lost["users_lost"] == 5);
  CHECK(lost["users_finished"] == 0);
  CHECK(lost["events"].get<int>() > 0);  // what it sent before dying is kept
  auto kept = report_worker(run.report, "remote-1");
  CHECK(kept["lost"] == false);
  CHECK(kept["users_finished"] == 5);
  CHECK(kept["users_lost"] == 0);
  bool named = false;
  for (const auto& reason : run.report["invalid_reasons"]) {
    named = named || reason.get<std::string>().find("remote-2") != std::string::npos;
  }
  CHECK(named);
  CHECK(run.console.find("LOST while running") != std::string::npos);
  std::size_t worker_lost = 0;
  for (const auto& user : run.report["users_failed"]) worker_lost += user["error_kind"] == "worker_lost" ? 1 : 0;
  CHECK(worker_lost == 5);
}

TEST_CASE(
    "a worker stopped with SIGSTOP (a silent peer) is lost at the deadline; --allow-worker-loss fails its users") {
  TwoWorkerRun run({"--reference-fault", "slow_start", "--performance-only", "--allow-worker-loss"}, 10);
  auto stopped = run.hit_second_worker("go: every user starts", SIGSTOP, 2s);
  int code = run.finish();
  INFO(run.console);
  double detected = run.detection_s(stopped);
  MESSAGE("stopped worker detected after " << detected << " s (deadline " << seconds_of(scaled_worker_silence())
                                           << " s)");
  // A stopped process closes nothing, so only the silence deadline can find
  // it: not at once. The deadline runs from the worker's last message, which
  // may be up to one heartbeat (1 s) before the stop.
  CHECK(detected >= seconds_of(scaled_worker_silence()) - 1.0 - 0.1);
  CHECK(detected < kDetectionBound);
  // Not invalid: the lost users are failures, and 5 of 10 is below the success rate.
  CHECK(code == 1);
  CHECK(run.report["invalid_reasons"].empty());
  auto lost = report_worker(run.report, "remote-2");
  CHECK(lost["lost"] == true);
  CHECK(lost["users_lost"] == 5);
  CHECK(lost["lost_reason"].get<std::string>().find("silent for") != std::string::npos);
  const auto& performance = test_case(run.report, "performance");
  bool counted = false;
  for (const auto& criterion : performance["criteria"]) {
    if (criterion["name"] != "success_rate") continue;
    counted = criterion["passed"] == false &&
              criterion["observed"].get<std::string>().find("5 lost with their worker") != std::string::npos;
  }
  CHECK(counted);
}

TEST_CASE("a worker lost during the probe phase leaves test case 5 incomplete, never passed") {
  TwoWorkerRun run({}, 40);
  // Stopped as its first probe round arrives: it answers nothing more.
  run.hit_second_worker("probe phase:", SIGSTOP);
  int code = run.finish();
  INFO(run.console);
  CHECK(code == 4);
  const auto& persistence = test_case(run.report, "state_persistence");
  CHECK(persistence["verdict"] != "passed");
  bool incomplete = false;
  for (const auto& criterion : persistence["criteria"]) {
    if (criterion["name"] != "probe_phase_complete") continue;
    incomplete =
        criterion["passed"] == false && criterion["observed"].get<std::string>().find("never ran") != std::string::npos;
    MESSAGE("probe phase: " << criterion["observed"].get<std::string>());
  }
  CHECK(incomplete);
  auto lost = report_worker(run.report, "remote-2");
  CHECK(lost["lost"] == true);
  CHECK(lost["lost_phase"] == "probing");
  CHECK(lost["users_lost"] == 0);  // every user had finished; only probes were missing
}

TEST_CASE("a worker lost between its assignment and the go: its users run on the other, and the report says so") {
  // Stopped once attached, remote-2 never prepares the assignment it is then
  // sent; killed once that went out, it is lost by its closed stream. The
  // controller's silence deadline is stretched so that the stop alone never
  // loses it, before its assignment or after.
  TwoWorkerRun run({"--performance-only"}, 20, "cast-e2e-loss-assigned",
                   {.controller_env = {{"CAST_WORKER_SILENCE_MS", "60000"}}, .first_waits = true});
  run.hit_second_worker("worker remote-2 attached", SIGSTOP);
  run.start_first();
  run.hit_second_worker("worker remote-2 assigned 10 user(s) (assignment part 0)", SIGKILL);
  int code = run.finish();
  INFO(run.console);
  // remote-1 took the 10 users over as a further part, prepared them and
  // said so in a new Ready; without that the go never comes (exit 4).
  REQUIRE(wait_for_line(run.dir / "run.log", "worker remote-1 assigned 10 user(s) (assignment part 1)", 1s));
  CHECK(code == 0);
  CHECK(run.report["invalid_reasons"].empty());
  auto lost = report_worker(run.report, "remote-2");
  REQUIRE(lost.is_object());
  CHECK(lost["lost"] == true);
  CHECK(lost["lost_phase"] == "before the go");
  CHECK(lost["users"] == 0);
  CHECK(lost["users_handed_over"] == 10);
  CHECK(lost["users_lost"] == 0);
  auto kept = report_worker(run.report, "remote-1");
  CHECK(kept["lost"] == false);
  CHECK(kept["users"] == 20);
  CHECK(kept["users_taken_over"] == 10);
  CHECK(kept["users_finished"] == 20);
  CHECK(run.report["users_failed"].empty());
  bool noted = false;
  for (const auto& note : run.report["notes"]) {
    noted = noted || note.get<std::string>().find(
                         "remote-2 was lost before the go; its 10 user(s) were dealt to "
                         "remote-1 (10)") != std::string::npos;
  }
  CHECK(noted);
  CHECK(run.console.find("(10 taken over)") != std::string::npos);
  CHECK(run.console.find("its 10 users ran elsewhere") != std::string::npos);
}
