#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "controller/analysis/judge.h"
#include "tests/unit/controller/analysis_run_fixture.h"

using namespace cast::controller;  // the code under test

using namespace cast::testing;

TEST_CASE("a clean run passes every evaluated criterion and lists all five test cases") {
  auto run = clean_run();
  auto verdict = judge(run);
  CHECK(verdict.kind == RunVerdictKind::passed);
  CHECK(verdict.exit_code() == 0);
  CHECK(verdict.findings.empty());
  CHECK(verdict.invalid_reasons.empty());
  REQUIRE(verdict.test_cases.size() == 5);
  const char* ids[] = {"startup_isolation", "cross_contamination", "performance", "websocket_scaling",
                       "state_persistence"};
  for (std::size_t i = 0; i < 5; ++i) {
    CHECK(std::string(to_string(verdict.test_cases[i].id)) == ids[i]);
  }
  CHECK(test_case(verdict, TestCaseId::startup_isolation).criteria.size() == 5);
  CHECK(test_case(verdict, TestCaseId::performance).criteria.size() == 6);
  CHECK(test_case(verdict, TestCaseId::websocket_scaling).criteria.size() == 3);
  for (const auto& result : verdict.test_cases) {
    bool pending = result.id == TestCaseId::cross_contamination || result.id == TestCaseId::state_persistence;
    CHECK(result.verdict == (pending ? CaseVerdict::not_evaluated : CaseVerdict::passed));
    if (pending) {
      CHECK(result.note.find("not evaluated") == 0);  // no isolation check ran in this record
    }
    for (const auto& c : result.criteria) {
      CHECK_MESSAGE(c.passed, c.name << ": " << c.observed);
    }
  }
  CHECK(criterion(verdict, TestCaseId::startup_isolation, "unique_agent_ids").observed == "10 distinct / 10 started");
  CHECK(criterion(verdict, TestCaseId::websocket_scaling, "replies_routed").observed_value == doctest::Approx(100));
}

TEST_CASE("the startup summary and harness figures come from the exact samples") {
  auto run = clean_run(20);  // start_us = 100 ms + i ms
  auto verdict = judge(run);
  CHECK(verdict.startup_ms.count == 20);
  CHECK(verdict.startup_ms.p50 == doctest::Approx(109));  // rank 10
  CHECK(verdict.startup_ms.p95 == doctest::Approx(118));  // rank 19
  CHECK(verdict.startup_ms.p99 == doctest::Approx(119));
  CHECK(verdict.startup_ms.max == doctest::Approx(119));
  CHECK(verdict.startup_ms.mean == doctest::Approx(109.5));
  CHECK(verdict.harness_max_lag_ms == doctest::Approx(2));
  CHECK(verdict.harness_start_skew_ms == doctest::Approx(3));
  CHECK(criterion(verdict, TestCaseId::performance, "startup_p95_s").observed_value == doctest::Approx(0.118));
}

TEST_CASE("a slow P95 fails performance, while P99 below its own limit passes") {
  auto run = clean_run(20);
  run.record.users[3].start_us = 6'000'000;  // 6 s: rank 19 of 20 is now the 2nd slowest
  run.record.users[4].start_us = 6'500'000;
  auto verdict = judge(run);
  CHECK(verdict.kind == RunVerdictKind::failed);
  CHECK(verdict.exit_code() == 1);
  CHECK(test_case(verdict, TestCaseId::performance).verdict == CaseVerdict::failed);
  CHECK_FALSE(criterion(verdict, TestCaseId::performance, "startup_p95_s").passed);
  CHECK(criterion(verdict, TestCaseId::performance, "startup_p95_s").observed_value == doctest::Approx(6.0));
  CHECK(criterion(verdict, TestCaseId::performance, "startup_p99_s").passed);
  CHECK_FALSE(criterion(verdict, TestCaseId::startup_isolation, "max_startup_s").passed);
  CHECK(test_case(verdict, TestCaseId::websocket_scaling).verdict == CaseVerdict::passed);
}

TEST_CASE("two users holding one agent id fail startup isolation with a finding naming both") {
  auto run = clean_run();
  set_agent(run, 3, "agent-1");
  auto verdict = judge(run);
  CHECK(verdict.kind == RunVerdictKind::failed);
  CHECK(test_case(verdict, TestCaseId::startup_isolation).verdict == CaseVerdict::failed);
  const auto& unique = criterion(verdict, TestCaseId::startup_isolation, "unique_agent_ids");
  CHECK_FALSE(unique.passed);
  CHECK(unique.observed == "9 distinct / 10 started");
  REQUIRE(verdict.findings.size() == 1);
  const auto& finding = verdict.findings[0];
  CHECK(finding.kind == FindingKind::duplicate_agent_id);
  CHECK(finding.test_case == TestCaseId::startup_isolation);
  CHECK(finding.observer == "u-000003");
  CHECK(finding.owner == "u-000001");
  CHECK(finding.excerpt.find(">>>agent-1<<<") != std::string::npos);
  CHECK(test_case(verdict, TestCaseId::websocket_scaling).verdict == CaseVerdict::passed);
}

TEST_CASE("a reply carrying another user's request id fails WebSocket scaling, naming observer and owner") {
  auto run = clean_run();
  misroute(run, 2, 5);
  auto verdict = judge(run);
  CHECK(verdict.kind == RunVerdictKind::failed);
  CHECK(test_case(verdict, TestCaseId::websocket_scaling).verdict == CaseVerdict::failed);
  const auto& routed = criterion(verdict, TestCaseId::websocket_scaling, "replies_routed");
  CHECK_FALSE(routed.passed);
  CHECK(routed.observed_value == doctest::Approx(100.0 * 20 / 21));
  REQUIRE(verdict.findings.size() == 1);
  const auto& finding = verdict.findings[0];
  CHECK(finding.kind == FindingKind::misrouted_reply);
  CHECK(finding.test_case == TestCaseId::websocket_scaling);
  CHECK(finding.observer == "u-000002");
  CHECK(finding.owner == "u-000005");
  CHECK(finding.where == "agent_response request_id=u-000005-r2");
  CHECK(finding.excerpt.find(">>>u-000005-r2<<<") != std::string::npos);
  // The stray reply is not user 2's own, so its context still counts as intact.
  CHECK(test_case(verdict, TestCaseId::startup_isolation).verdict == CaseVerdict::passed);
}

TEST_CASE("a reply naming another user's agent under the user's own request id is misrouted too") {
  auto run = clean_run();
  auto frame = nlohmann::json{
      {"type", "agent_state"}, {"request_id", run.planned[2].request_id_prefix + "9"}, {"agent_id", "agent-7"}};
  run.record.observations.push_back(cast::testing::observe(run.planned[2], frame, 1));
  auto verdict = judge(run);
  REQUIRE(verdict.findings.size() == 1);
  CHECK(verdict.findings[0].owner == "u-000007");
  CHECK(verdict.findings[0].excerpt.find(">>>agent-7<<<") != std::string::npos);

  // Probes ask for a victim's agent on purpose: that alone is not misrouting.
  run.record.observations.back().phase = "probe";
  CHECK(judge(run).findings.empty());
}

TEST_CASE("an agent that names another user, or forgets its context, fails startup isolation") {
  auto run = clean_run();
  auto& started = run.record.observations[2 * 6];  // user 6's agent_started
  auto echoed = started.payload.find("\"user_id\":\"u-000006\"");
  REQUIRE(echoed != std::string::npos);
  started.payload.replace(echoed + 11, 8, "u-000007");
  auto& reply = run.record.observations[2 * 8 + 1];  // user 8's agent_response
  std::string canary = run.planned[8].canary;
  for (auto at = reply.payload.find(canary); at != std::string::npos; at = reply.payload.find(canary)) {
    reply.payload.replace(at, canary.size(), "forgotten");
  }
  auto verdict = judge(run);
  CHECK_FALSE(criterion(verdict, TestCaseId::startup_isolation, "identity_echo").passed);
  CHECK_FALSE(criterion(verdict, TestCaseId::startup_isolation, "context_intact").passed);
  CHECK(criterion(verdict, TestCaseId::startup_isolation, "context_intact").observed == "9/10 quote their own context");
  REQUIRE(verdict.findings.size() == 1);
  CHECK(verdict.findings[0].kind == FindingKind::identity_mismatch);
  CHECK(verdict.findings[0].observer == "u-000006");
  CHECK(verdict.findings[0].owner == "u-000007");
}

TEST_CASE("drops, missing connections and failed users fail their criteria") {
  auto run = clean_run();
  run.record.users[1].closed_unexpectedly = true;
  run.record.users[2].connect_us.reset();
  run.record.users[2].start_us.reset();
  run.record.users[2].done = false;
  run.record.users[2].failed = true;
  auto verdict = judge(run);
  CHECK_FALSE(criterion(verdict, TestCaseId::websocket_scaling, "unexpected_closes").passed);
  CHECK(criterion(verdict, TestCaseId::websocket_scaling, "connections_established").observed == "9/10");
  CHECK_FALSE(criterion(verdict, TestCaseId::performance, "success_rate").passed);  // 90 % < 95 %
  CHECK_FALSE(criterion(verdict, TestCaseId::startup_isolation, "agents_started").passed);
  CHECK(verdict.kind == RunVerdictKind::failed);
}

TEST_CASE("resources: unmeasured is reported, not failed, and over the limit fails") {
  auto run = clean_run();
  run.record.resources.clear();
  auto verdict = judge(run);
  const auto& memory = criterion(verdict, TestCaseId::performance, "platform_memory_mb");
  CHECK_FALSE(memory.measured);
  CHECK(memory.observed == "not measured");
  CHECK(verdict.kind == RunVerdictKind::passed);

  run = clean_run();
  run.record.resources[1].platform_rss_mb = 5000;
  run.record.platform_local = true;
  run.record.host_cores = 2;
  run.record.resources[2].platform_cpu_percent = 182;  // of one core: 91 % of two
  verdict = judge(run);
  CHECK_FALSE(criterion(verdict, TestCaseId::performance, "platform_memory_mb").passed);
  CHECK(criterion(verdict, TestCaseId::performance, "host_cpu_percent").observed_value == doctest::Approx(91));
  CHECK_FALSE(criterion(verdict, TestCaseId::performance, "host_cpu_percent").passed);
  CHECK(verdict.kind == RunVerdictKind::failed);
}

TEST_CASE("host CPU counts the platform's share, never the harness sharing the host") {
  auto run = clean_run();
  run.record.platform_local = true;
  run.record.host_cores = 2;
  for (auto& sample : run.record.resources) {
    sample.host_cpu_percent = 100;     // the whole box is busy (harness, builds)
    sample.platform_cpu_percent = 60;  // the platform uses 30 % of it
  }
  auto verdict = judge(run);
  CHECK(criterion(verdict, TestCaseId::performance, "host_cpu_percent").observed_value == doctest::Approx(30));
  CHECK(criterion(verdict, TestCaseId::performance, "host_cpu_percent").passed);
  run.record.platform_local = false;  // a remote platform's host is not ours to measure
  CHECK_FALSE(criterion(judge(run), TestCaseId::performance, "host_cpu_percent").measured);
}

TEST_CASE("isolation evidence: cases 2 and 5 count their findings, and a check that ran clean passes") {
  auto run = clean_run();
  run.record.isolation.contamination_scanned = true;
  run.record.isolation.probes_run = true;
  run.record.isolation.probes = 40;
  run.record.isolation.persistence_checked = true;
  auto clean = judge(run);
  CHECK(test_case(clean, TestCaseId::cross_contamination).verdict == CaseVerdict::passed);
  CHECK(test_case(clean, TestCaseId::state_persistence).verdict == CaseVerdict::passed);
  CHECK(test_case(clean, TestCaseId::state_persistence).criteria.size() == 2);
  CHECK(clean.exit_code() == 0);

  Finding leak{FindingKind::foreign_canary,
               TestCaseId::cross_contamination,
               "u-000001",
               "u-000002",
               "ws",
               "agent_response",
               "x",
               0};
  Finding row{FindingKind::wrong_owner_row,
              TestCaseId::state_persistence,
              "postgres",
              "u-000003",
              "postgres",
              "agents",
              "y",
              0};
  Finding probe{
      FindingKind::unauthorized_read, TestCaseId::state_persistence, "u-000004", "u-000005", "rest", "GET", "z", 0};
  run.record.isolation.findings = {leak, row, probe};
  auto dirty = judge(run);
  CHECK(test_case(dirty, TestCaseId::cross_contamination).verdict == CaseVerdict::failed);
  CHECK(criterion(dirty, TestCaseId::state_persistence, "stored_data_ownership").observed_value == 1);
  CHECK(criterion(dirty, TestCaseId::state_persistence, "authorization_probes").observed_value == 1);
  CHECK(dirty.findings.size() == 3);
  CHECK(dirty.exit_code() == 1);

  // A capped listing is never shown as the whole count.
  run.record.isolation.findings_cap = 1;
  run.record.isolation.cross_contamination_payloads_past_cap = 7;
  CHECK(criterion(judge(run), TestCaseId::cross_contamination, "foreign_data_seen").observed ==
        "at least 1 findings (listing capped at 1 distinct; 7 more payloads with evidence)");

  run.config.isolation_strict = false;
  auto lenient = judge(run);
  CHECK(lenient.findings.size() == 3);
  CHECK(lenient.exit_code() == 0);
}
