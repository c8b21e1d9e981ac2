// --cancel-rate against the real reference platform: users chosen from the
// run id drop their connection mid-request; under cancel_corruption the
// users that stay then receive replies carrying a cancelled user's context
// (the March 2023 shape), and on the clean platform they never do. The
// events also go through the controller's ledger and judges, which must
// not count the cancelled users as failures.
#include <doctest/doctest.h>
#include <numeric>
#include <set>

#include "controller/analysis/judge.h"
#include "controller/run/assignment_builder.h"
#include "controller/run/event_ledger.h"
#include "tests/integration/worker/collecting_sink.h"
#include "tests/support/reference_platform.h"
#include "worker/session/cancel_chaos.h"

using namespace cast::controller;  // the code under test

namespace cast::test {
namespace {

using cast::v1::Event;

constexpr std::size_t kUsers = 40;
constexpr double kCancelRate = 0.2;

struct ChaosRun {
  std::string run_id;
  RunConfig config;
  std::vector<PlannedUser> population;
  std::set<std::uint32_t> chosen;  // who the draw says cancels
  CollectingSink sink;
  worker::WorkerSummary summary;
};

// Config -> assignment -> worker setup, exactly as cast run hands it over.
std::unique_ptr<ChaosRun> run_with_cancellations(const ReferencePlatform& platform, const std::string& run_id) {
  auto run = std::make_unique<ChaosRun>();
  run->run_id = run_id;
  run->config.users = static_cast<int>(kUsers);
  run->config.cancel_rate = kCancelRate;
  PopulationSpec spec;
  spec.run_id = run_id;
  spec.run_key = make_run_key();
  spec.users = kUsers;
  run->population = plan_population(spec);
  std::vector<std::uint32_t> indices(kUsers);
  std::iota(indices.begin(), indices.end(), 0u);
  PlatformEndpoints target;
  target.auth_url = platform.auth_url();
  target.backend_url = platform.backend_url();
  target.ws_url = platform.ws_url();
  auto assignment = build_assignment(run_id, run->population, indices, target, run->config, "");
  for (auto index : indices) {
    if (worker::chosen_to_cancel(run_id, index, kCancelRate)) {
      run->chosen.insert(index);
    }
  }
  std::vector<cast::v1::UserSpec> users(assignment.users().begin(), assignment.users().end());
  run->summary = run_users(worker::run_setup_from(assignment), run->sink, users);
  return run;
}

// "observer <- owner" for every frame a staying user received that carries
// a cancelled user's canary.
std::vector<std::string> leaked_frames(const ChaosRun& run) {
  std::vector<std::string> leaks;
  for (const Event& event : run.sink.of_kind(cast::v1::FRAME_RECEIVED)) {
    if (run.chosen.count(event.user_index()) > 0) {
      continue;
    }
    for (auto owner : run.chosen) {
      if (event.payload().find(run.population[owner].canary) != std::string::npos) {
        leaks.push_back(std::to_string(event.user_index()) + " <- " + std::to_string(owner));
      }
    }
  }
  return leaks;
}

// Each chosen user sent its first message, dropped, and said nothing after.
void check_cancellations(const ChaosRun& run) {
  REQUIRE(run.chosen.size() >= 2);  // the fixed run ids below choose several
  std::set<std::uint32_t> cancelled;
  for (const Event& event : run.sink.of_kind(cast::v1::USER_CANCELLED)) {
    cancelled.insert(event.user_index());
    CHECK(event.phase() == cast::v1::PHASE_MESSAGE);
    CHECK(event.step() == 0);
    CHECK(event.error_kind().empty());
  }
  CHECK(cancelled == run.chosen);
  CHECK(run.summary.cancelled == run.chosen.size());
  CHECK(run.summary.failed == 0);
  CHECK(run.summary.succeeded == kUsers - run.chosen.size());
  for (auto index : run.chosen) {
    auto events = run.sink.of_user(index);
    REQUIRE_FALSE(events.empty());
    CHECK(events.back().kind() == cast::v1::USER_CANCELLED);
    // It got its agent (the start step ended), went on to its first message
    // (USER_CANCELLED in MESSAGE/0, checked above) and finished no message.
    bool started = false;
    for (const Event& event : events) {
      started = started || (event.kind() == cast::v1::PHASE_FINISHED && event.phase() == cast::v1::PHASE_START);
      CHECK_FALSE((event.kind() == cast::v1::PHASE_FINISHED && event.phase() == cast::v1::PHASE_MESSAGE));
    }
    CHECK(started);
  }
}

// The ledger and judges as cast run uses them; returns criterion -> passed.
std::map<std::string, bool> judged(const ChaosRun& run) {
  std::vector<std::string> ids;
  for (const auto& user : run.population) {
    ids.push_back(user.user_id);
  }
  EventLedger ledger(ids);
  std::vector<std::uint32_t> indices(kUsers);
  std::iota(indices.begin(), indices.end(), 0u);
  ledger.assign("w-1", indices);
  for (const Event& event : run.sink.events()) {
    ledger.apply("w-1", event);
  }
  ledger.finalize();
  CHECK(ledger.users_finished() == kUsers);
  std::size_t cancelled = 0;
  for (const auto& user : ledger.record().users) {
    cancelled += user.cancelled ? 1 : 0;
    CHECK_FALSE((user.cancelled && (user.failed || user.done)));
  }
  CHECK(cancelled == run.chosen.size());
  auto verdict = judge_run(ledger.record(), run.config, run.population);
  std::map<std::string, bool> passed;
  for (const auto& test_case : verdict.test_cases) {
    for (const auto& criterion : test_case.criteria) {
      passed[criterion.name] = criterion.passed;
      if (criterion.name == "success_rate") {
        CHECK_MESSAGE(criterion.observed.find(std::to_string(cancelled) + " cancelled on purpose") != std::string::npos,
                      criterion.observed);
      }
    }
  }
  return passed;
}

}  // namespace

TEST_CASE("cancel_corruption: users that stay receive a cancelled user's context, and the judges see it") {
  ReferenceOptions options;
  options.faults = {"cancel_corruption"};
  ReferencePlatform platform(options);
  auto run = run_with_cancellations(platform, "chaos-corrupt-1");
  check_cancellations(*run);
  auto leaks = leaked_frames(*run);
  MESSAGE(leaks.size() << " frames of staying users carried a cancelled user's canary");
  CHECK_FALSE(leaks.empty());
  auto passed = judged(*run);
  CHECK(passed["success_rate"]);
  CHECK(passed["unexpected_closes"]);
  CHECK(passed["connections_established"]);
  CHECK_FALSE(passed["context_intact"]);  // a stale reply quotes someone else's context
}

TEST_CASE("the clean platform: cancellations leak nothing to the users that stay") {
  ReferencePlatform platform;
  auto run = run_with_cancellations(platform, "chaos-clean-1");
  check_cancellations(*run);
  auto leaks = leaked_frames(*run);
  CHECK_MESSAGE(leaks.empty(), leaks.size() << " leaked frames, first " << (leaks.empty() ? "" : leaks.front()));
  auto passed = judged(*run);
  CHECK(passed["success_rate"]);
  CHECK(passed["unexpected_closes"]);
  CHECK(passed["connections_established"]);
  CHECK(passed["context_intact"]);
}

}  // namespace cast::test
