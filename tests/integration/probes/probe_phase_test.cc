// The authorization probe phase end to end: plans over real gRPC, probes
// by in-process workers against the real reference platform, judged on
// the controller from the PROBE_RESULT events of its one event path.
#include <algorithm>
#include <atomic>
#include <set>

#include "tests/integration/probes/probe_harness.h"
#include "worker/control/controller_link.h"
#include "worker/probe/probe_round.h"
#include "worker/session/user_engine.h"

namespace cast::test {
namespace {

// Probe results a clean attack on a victim of another tenant yields, with
// the platform's secret: 5 direct probes (state read and write over
// WebSocket and REST, a message), and where the attack sends the forged
// tokens 12 credential forgeries on REST and on the upgrade, 3 identity
// forgeries on REST only.
constexpr std::size_t kDirectResults = 5;
constexpr std::size_t kForgedResults = 12 + 3 + 12;

void check_every_probe_ran(const ProbeRunResult& run) {
  CHECK(run.outcome.completed);
  CHECK(run.outcome.workers_lost.empty());
  std::size_t attacks = 0;
  std::size_t readbacks = 0;
  for (const auto& result : run.results) {
    (result.kind == ProbeKind::readback ? readbacks : attacks) += 1;
  }
  std::size_t expected = 0;
  for (const auto& pair : run.plans.pairs) {
    expected += kDirectResults + (pair.forged_tokens ? kForgedResults : 0);
  }
  CHECK(attacks == expected);
  std::set<std::size_t> victims;
  for (const auto& pair : run.plans.pairs) {
    victims.insert(pair.victim);
  }
  CHECK(readbacks == victims.size());
  for (auto code : run.exit_codes) {
    CHECK(code == 0);
  }
}

bool has_finding(const ProbeRunResult& run, cast::controller::FindingKind kind, const std::string& probe,
                 const ProbePair& pair) {
  for (const auto& f : run.findings) {
    if (f.kind == kind && f.where.rfind(probe + ":", 0) == 0 && f.observer == run.users[pair.attacker].user_id &&
        f.owner == run.users[pair.victim].user_id) {
      return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("clean platform: every probe is denied, no finding, and the victims' state is unchanged") {
  ReferencePlatform platform;
  auto run = run_with_probes(platform, 6, {"w-one"});
  REQUIRE(run.plans.pairs.size() == 6);
  check_every_probe_ran(run);
  for (const auto& finding : run.findings) {
    FAIL_CHECK(finding.kind << " " << finding.where << " " << finding.excerpt);
  }
  for (const auto& result : run.results) {
    CAPTURE(probe_label(result));
    CHECK(result.error_kind != "timeout");
    if (result.kind == ProbeKind::readback) {
      CHECK(result.http_status == 200);
      CHECK(result.payload.find(run.users[result.actor_index].canary) != std::string::npos);
      CHECK(result.payload.find("cast_probe") == std::string::npos);
    } else if (result.channel == "ws" && result.http_status == 0) {
      CHECK(result.answer_type == "error");
      CHECK(result.answer_code == "not_found");
    } else {
      CHECK((result.http_status == 401 || result.http_status == 404));
    }
  }
}

// Every step ends when the platform answers (refused upgrades included):
// no timer of the 60 s connect timeout outlives its call and keeps the
// round's loop alive, so the phase ends long before one could have fired.
TEST_CASE("the probe phase ends when its answers are in, not when a connect timeout runs out") {
  ReferencePlatform platform;
  auto run = run_with_probes(platform, 4, {"w-one"});
  check_every_probe_ran(run);
  CHECK(run.probe_phase < std::chrono::milliseconds{kLongConnectTimeoutMs / 2});
}

TEST_CASE("no_authz: reads, writes and the marker in the victim's state are findings naming attacker and victim") {
  ReferencePlatform platform({.faults = {"no_authz"}});
  auto run = run_with_probes(platform, 4, {"w-one"});
  check_every_probe_ran(run);
  for (const auto& pair : run.plans.pairs) {
    CAPTURE(run.users[pair.attacker].user_id);
    CHECK(has_finding(run, cast::controller::FindingKind::unauthorized_read, "ws_get_state", pair));
    CHECK(has_finding(run, cast::controller::FindingKind::unauthorized_read, "rest_get_state", pair));
    CHECK(has_finding(run, cast::controller::FindingKind::unauthorized_write, "ws_update_state", pair));
    CHECK(has_finding(run, cast::controller::FindingKind::unauthorized_write, "rest_put_state", pair));
    CHECK(has_finding(run, cast::controller::FindingKind::unauthorized_modification, "victim_readback", pair));
  }
  for (const auto& f : run.findings) {
    if (f.kind == cast::controller::FindingKind::unauthorized_read && f.channel == "rest") {
      CHECK(f.where.find("GET /api/agents/") != std::string::npos);
      CHECK(f.excerpt.find(">>>") != std::string::npos);  // the victim's data, marked
    }
  }
  // Well-signed tokens naming another tenant or run pass no owner check either; real forgeries stay refused.
  for (const auto& f : run.findings) {
    if (f.kind != cast::controller::FindingKind::forged_token_accepted) continue;
    CAPTURE(f.where);
    bool names_someone_else = f.where.rfind("rest_forged:victim_sub:", 0) == 0 ||
                              f.where.rfind("rest_forged:other_tenant:", 0) == 0 ||
                              f.where.rfind("rest_forged:other_run:", 0) == 0;
    CHECK(names_someone_else);
  }
}

TEST_CASE("jwt_none: only the alg:none forgeries are accepted, on REST and on the upgrade") {
  ReferencePlatform platform({.faults = {"jwt_none"}});
  auto run = run_with_probes(platform, 3, {"w-one"});
  check_every_probe_ran(run);
  std::set<std::string> accepted;
  for (const auto& f : run.findings) {
    CHECK(f.kind == cast::controller::FindingKind::forged_token_accepted);
    accepted.insert(f.where.substr(0, f.where.find(':', f.where.find(':') + 1)));
  }
  CHECK(accepted == std::set<std::string>{"rest_forged:alg_none", "rest_forged:alg_None", "rest_forged:alg_NONE",
                                          "ws_upgrade_forged:alg_none", "ws_upgrade_forged:alg_None",
                                          "ws_upgrade_forged:alg_NONE"});
  CHECK(run.findings.size() == run.plans.pairs.size() * 6);
}

// The forged tokens go with one attacker per worker and tenant crossing
// here: the fault is still caught, by that attacker alone, and every other
// attacker still runs every direct probe.
TEST_CASE("jwt_none with a forgery sample of one: caught by the sampled attacker, the rest probe directly") {
  ReferencePlatform platform({.faults = {"jwt_none"}});
  auto run = run_with_probes(platform, 5, {"w-one"}, product_worker, {.forgery_attackers = 1});
  REQUIRE(run.plans.pairs.size() == 5);
  check_every_probe_ran(run);
  auto forging =
      std::count_if(run.plans.pairs.begin(), run.plans.pairs.end(), [](const ProbePair& p) { return p.forged_tokens; });
  REQUIRE(forging == 1);
  std::set<std::string> forgers;
  for (const auto& f : run.findings) {
    CHECK(f.kind == cast::controller::FindingKind::forged_token_accepted);
    forgers.insert(f.observer);
  }
  CHECK(run.findings.size() == 6);  // three alg:none casings, on REST and on the upgrade
  CHECK(forgers.size() == 1);
}

TEST_CASE("two workers: every victim is on the other worker, attacked there and read back at home") {
  ReferencePlatform platform;
  auto run = run_with_probes(platform, 8, {"w-a", "w-b"});
  REQUIRE(run.plans.pairs.size() == 8);
  check_every_probe_ran(run);
  CHECK(run.findings.empty());
  for (const auto& pair : run.plans.pairs) {
    CHECK(run.worker_of_user[pair.attacker] != run.worker_of_user[pair.victim]);
  }
  for (const auto& result : run.results) {
    CHECK(result.worker_id == run.worker_of_user[result.actor_index]);
    if (result.kind != ProbeKind::readback) {
      CHECK(run.worker_of_user[result.target_index] != result.worker_id);
    }
  }
}

namespace {

// Forwards to the link, and breaks the stream (the third one opened) after `after` probe results.
class InterruptingSink final : public worker::EventSink {
 public:
  InterruptingSink(worker::ControllerLink& link, int after) : link_(link), after_(after) {}
  void emit_batch(std::vector<v1::Event>&& events) override {
    int probes = 0;
    for (const auto& event : events) {
      probes += event.kind() == v1::PROBE_RESULT ? 1 : 0;
    }
    link_.emit_batch(std::move(events));
    // Between streams an interrupt has nothing to break: try again on the next batch.
    if (probes > 0 && (seen_ += probes) >= after_ && link_.stats().streams_opened < 3) {
      link_.interrupt();
    }
  }

 private:
  worker::ControllerLink& link_;
  int after_;
  std::atomic<int> seen_{0};
};

// The worker's life as run_worker leads it, with the stream broken twice
// in the probe phase: as round 1 arrives, and in the middle of it.
int interrupted_worker(const std::string& address, const std::string& worker_id) {
  worker::ControllerLinkConfig config;
  config.controller_address = address;
  config.hello.set_worker_id(worker_id);
  config.hello.set_capacity(100);
  config.reconnect_delay = 50ms;
  worker::ControllerLink link(config);
  link.start();
  auto assignment = link.wait_for_assignment(kPatience);
  if (!assignment) {
    return 3;  // no REQUIRE off the test's thread: the exit code tells
  }
  InterruptingSink sink(link, 10);
  auto setup = worker::run_setup_from(*assignment);
  worker::UserEngine engine(setup, sink, {1});
  link.report_ready(
      static_cast<std::uint32_t>(engine.prepare({assignment->users().begin(), assignment->users().end()})));
  auto go = link.wait_for_go(kPatience);
  if (!go) {
    return 4;
  }
  engine.start(*go);
  v1::Done done;
  done.set_users_succeeded(engine.wait().succeeded);
  link.report_done(done);
  while (auto plan = link.wait_for_probe_plan(kPatience)) {
    if (plan->round() == 1) {
      link.interrupt();
    }
    auto summary = worker::run_probe_round(setup, *plan, sink, *go);
    v1::ProbeDone answered;
    answered.set_round(plan->round());
    answered.set_probes_run(summary.probes_run);
    link.report_probe_done(answered);
  }
  bool released = link.released();
  auto streams = link.stats().streams_opened;
  return link.close(kPatience) && released && streams >= 3 ? 0 : 4;
}

}  // namespace

TEST_CASE("a worker whose stream breaks during the probe phase finishes it, each result delivered once") {
  ReferencePlatform platform;
  auto run = run_with_probes(platform, 4, {"w-flaky"}, interrupted_worker);
  check_every_probe_ran(run);
  CHECK(run.findings.empty());
  REQUIRE(run.workers.size() == 1);
  CHECK(run.workers[0].reconnects >= 2);
  // Each probe of each attacker exactly once, and the sink saw every seq once.
  std::set<std::tuple<std::uint32_t, std::uint32_t, std::string>> distinct;
  for (const auto& result : run.results) {
    CHECK(distinct.insert({result.actor_index, result.target_index, probe_label(result)}).second);
  }
  std::uint64_t expected_seq = 0;
  for (const auto& event : run.events.at("w-flaky")) {
    CHECK(event.seq() == ++expected_seq);
  }
}

}  // namespace cast::test
