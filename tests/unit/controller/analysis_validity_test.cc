#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "controller/analysis/judge.h"
#include "tests/unit/controller/analysis_run_fixture.h"

using namespace cast::controller;  // the code under test

using namespace cast::testing;

TEST_CASE("a lost worker makes the run invalid, saying which") {
  auto run = clean_run();
  run.record.workers[1].lost = true;
  for (auto& user : run.record.users) {
    if (user.worker_id == "w-1" && user.index >= 5) {
      user.done = false;
      user.failed = true;
      user.lost = true;
    }
  }
  auto verdict = judge(run);
  CHECK(verdict.kind == cast::controller::RunVerdictKind::invalid);
  CHECK(verdict.exit_code() == 4);
  REQUIRE(verdict.invalid_reasons.size() == 1);
  CHECK(verdict.invalid_reasons[0].starts_with(
      "worker w-1 (127.0.0.1, pid 4001) was lost with 3 of its 5 users unfinished"));
}

TEST_CASE("--allow-worker-loss: a worker lost after the go fails its users instead of invalidating the run") {
  auto run = clean_run();
  run.record.workers[1].lost = true;
  run.record.workers[1].lost_phase = "running";
  run.record.worker_loss_allowed = true;
  for (auto& user : run.record.users) {
    if (user.worker_id == "w-1") {
      user.done = false;
      user.failed = true;
      user.lost = true;
    }
  }
  auto verdict = judge(run);
  CHECK(verdict.invalid_reasons.empty());
  CHECK(verdict.kind == cast::controller::RunVerdictKind::failed);
  bool counted = false;
  for (const auto& tc : verdict.test_cases) {
    for (const auto& criterion : tc.criteria) {
      if (criterion.name != "success_rate") continue;
      counted = !criterion.passed && criterion.observed.find("lost with their worker") != std::string::npos;
    }
  }
  CHECK(counted);
}

TEST_CASE("a worker lost before the go whose users ran elsewhere leaves the run valid") {
  auto run = clean_run();
  run.record.workers[1].lost = true;
  run.record.workers[1].lost_phase = "before the go";
  run.record.workers[1].users_handed_over = run.record.workers[1].users;
  auto verdict = judge(run);
  CHECK(verdict.invalid_reasons.empty());
  CHECK(verdict.kind == cast::controller::RunVerdictKind::passed);
}

TEST_CASE("probe steps that never ran leave test case 5 not passed, saying how many") {
  auto run = clean_run();
  run.record.isolation.probes_run = true;
  run.record.isolation.probes = 40;
  run.record.isolation.probe_steps_planned = 20;
  run.record.isolation.probe_steps_missing = 9;
  run.record.isolation.probe_gaps.push_back("worker w-1 did not finish its probe rounds, 9 step(s) never ran");
  auto verdict = judge(run);
  const cast::controller::TestCaseResult* persistence = nullptr;
  for (const auto& tc : verdict.test_cases) {
    if (tc.id == cast::controller::TestCaseId::state_persistence) persistence = &tc;
  }
  REQUIRE(persistence != nullptr);
  CHECK(persistence->verdict != cast::controller::CaseVerdict::passed);
  bool named = false;
  for (const auto& criterion : persistence->criteria) {
    named = named || (criterion.name == "probe_phase_complete" && !criterion.passed &&
                      criterion.observed.find("9 of 20 steps never ran") != std::string::npos);
  }
  CHECK(named);
}

TEST_CASE("schedule lag over the limit makes the run invalid, naming the user and both values") {
  auto run = clean_run();
  run.config.max_schedule_lag_ms = 500;
  run.record.users[4].max_schedule_lag_us = 800'000;
  run.record.users[5].max_schedule_lag_us = 600'000;
  auto verdict = judge(run);
  CHECK(verdict.kind == cast::controller::RunVerdictKind::invalid);
  REQUIRE(verdict.invalid_reasons.size() == 1);
  const auto& reason = verdict.invalid_reasons[0];
  CHECK(reason.find("2 user(s)") != std::string::npos);
  CHECK(reason.find("u-000004 on worker w-0 by 800.0 ms (limit 500.0 ms)") != std::string::npos);
  CHECK(verdict.harness_max_lag_ms == doctest::Approx(800));

  run.record.users[4].max_schedule_lag_us = 500'000;  // at the limit is still fine
  run.record.users[5].max_schedule_lag_us = 0;
  CHECK(judge(run).kind == cast::controller::RunVerdictKind::passed);
}

TEST_CASE("a worker at 95 % of its cores makes the run invalid") {
  auto run = clean_run();
  run.record.workers[0].peak_cpu_percent = 150;  // of 2 cores: 75 %
  CHECK(judge(run).kind == cast::controller::RunVerdictKind::passed);
  run.record.workers[0].peak_cpu_percent = 192;  // 96 %
  auto verdict = judge(run);
  CHECK(verdict.kind == cast::controller::RunVerdictKind::invalid);
  REQUIRE(verdict.invalid_reasons.size() == 1);
  CHECK(verdict.invalid_reasons[0].find("worker w-0 (127.0.0.1, pid 4000) CPU saturated") == 0);
  CHECK(verdict.invalid_reasons[0].find("96.0 % of its 2 core(s)") != std::string::npos);

  run.record.workers[0].peak_cpu_percent = 97;
  run.record.workers[0].cores = 0;  // not reported: judged as one core
  verdict = judge(run);
  REQUIRE(verdict.invalid_reasons.size() == 1);
  CHECK(verdict.invalid_reasons[0].find("(cores not reported)") != std::string::npos);
}

TEST_CASE("non-strict isolation keeps the findings as warnings and passes") {
  auto run = clean_run();
  set_agent(run, 3, "agent-1");
  misroute(run, 2, 5);
  run.config.isolation_strict = false;
  auto verdict = judge(run);
  CHECK(verdict.findings.size() == 2);
  CHECK(verdict.kind == cast::controller::RunVerdictKind::passed);
  const auto& unique = criterion(verdict, cast::controller::TestCaseId::startup_isolation, "unique_agent_ids");
  CHECK_FALSE(unique.passed);
  CHECK(unique.warning);
  CHECK(criterion(verdict, cast::controller::TestCaseId::websocket_scaling, "replies_routed").warning);
  CHECK(test_case(verdict, cast::controller::TestCaseId::startup_isolation).verdict ==
        cast::controller::CaseVerdict::passed);
  CHECK(test_case(verdict, cast::controller::TestCaseId::websocket_scaling).note.find("only warned") !=
        std::string::npos);

  run.config.isolation_strict = true;
  verdict = judge(run);
  CHECK(verdict.kind == cast::controller::RunVerdictKind::failed);
  CHECK_FALSE(criterion(verdict, cast::controller::TestCaseId::startup_isolation, "unique_agent_ids").warning);
}

TEST_CASE("--performance-only skips cases 1, 2 and 5 and --isolation-only skips case 3") {
  auto run = clean_run();
  set_agent(run, 3, "agent-1");
  run.config.performance_only = true;
  auto verdict = judge(run);
  CHECK(verdict.findings.empty());
  CHECK(verdict.kind == cast::controller::RunVerdictKind::passed);
  for (auto id : {cast::controller::TestCaseId::startup_isolation, cast::controller::TestCaseId::cross_contamination,
                  cast::controller::TestCaseId::state_persistence}) {
    CHECK(test_case(verdict, id).verdict == cast::controller::CaseVerdict::not_evaluated);
    CHECK(test_case(verdict, id).note == "not evaluated: --performance-only");
  }
  CHECK(test_case(verdict, cast::controller::TestCaseId::performance).verdict == cast::controller::CaseVerdict::passed);

  run = clean_run();
  run.record.users[0].start_us = 9'000'000;
  run.config.isolation_only = true;
  verdict = judge(run);
  CHECK(test_case(verdict, cast::controller::TestCaseId::performance).verdict ==
        cast::controller::CaseVerdict::not_evaluated);
  CHECK(test_case(verdict, cast::controller::TestCaseId::performance).criteria.empty());
  CHECK(test_case(verdict, cast::controller::TestCaseId::startup_isolation).verdict ==
        cast::controller::CaseVerdict::failed);  // 9 s > 5 s per agent
}

TEST_CASE("a worker loop that lagged beyond thresholds.max_loop_lag_ms makes the run invalid, naming it") {
  auto run = clean_run();
  run.config.max_loop_lag_ms = 200;
  run.record.workers[1].max_loop_lag_us = 200'000;  // at the limit is still fine
  CHECK(judge(run).kind == cast::controller::RunVerdictKind::passed);
  run.record.workers[1].max_loop_lag_us = 903'000;
  auto verdict = judge(run);
  CHECK(verdict.kind == cast::controller::RunVerdictKind::invalid);
  REQUIRE(verdict.invalid_reasons.size() == 1);
  CHECK(verdict.invalid_reasons[0] ==
        "worker w-1 event loop lagged 903.0 ms (limit 200.0 ms, thresholds.max_loop_lag_ms)");
}

TEST_CASE("harness exceptions beyond thresholds.max_harness_errors make the run invalid, counted per worker") {
  auto run = clean_run();
  run.record.workers[0].harness_errors = 2;
  run.record.workers[1].harness_errors = 1;
  auto verdict = judge(run);  // the default limit is 0
  CHECK(verdict.kind == cast::controller::RunVerdictKind::invalid);
  REQUIRE(verdict.invalid_reasons.size() == 1);
  CHECK(verdict.invalid_reasons[0].find("harness errors: 3 exception(s)") == 0);
  CHECK(verdict.invalid_reasons[0].find("w-0 2, w-1 1; limit 0") != std::string::npos);
  run.config.max_harness_errors = 3;
  CHECK(judge(run).kind == cast::controller::RunVerdictKind::passed);
}
