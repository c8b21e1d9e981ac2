#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "common/crypto/encoding.h"
#include "common/net/url.h"
#include "controller/isolation/contamination_detector.h"
#include "tests/unit/controller/isolation_run_fixture.h"

using namespace cast::controller;  // the code under test
using namespace cast;              // common/: the encodings and the canary authority
using namespace cast::testing::detector;

TEST_CASE("isolation detector: a clean run has no findings and nothing to note") {
  Run run = clean_run();
  auto report = detect(run);
  CHECK(report.findings.empty());
  CHECK(report.notes.empty());
  CHECK(report.payloads_scanned == run.record.observations.size());
  CHECK(report.bytes_scanned > 0);
}

TEST_CASE("isolation detector: a user's own values never count however encoded") {
  Run run = clean_run();
  const PlannedUser& me = run.planned[2];
  std::string payload = me.user_id + " " + me.profile.email + " " + me.profile.display_name + " " +
                        me.request_id_prefix + "9 " + agent_of(2) + " " + base64_encode(me.canary + " " + me.user_id) +
                        " " + url_encode(me.profile.email) + " \\u0063" + me.canary.substr(1);
  run.record.observations.push_back(observe(run, 2, payload));
  CHECK(detect(run).findings.empty());
}

TEST_CASE("isolation detector: another user's canary in a reply is a foreign canary") {
  Run run = clean_run();
  run.record.observations.push_back(observe(run, 1, reply(run, 1, 3)));
  auto report = detect(run);
  const PlannedUser& owner = run.planned[3];
  bool canary = false, profile = false, agent = false;
  for (const Finding& finding : report.findings) {
    CHECK(finding.observer == run.planned[1].user_id);
    CHECK(finding.owner == owner.user_id);
    CHECK(finding.channel == "ws");
    CHECK(finding.test_case == cast::controller::TestCaseId::cross_contamination);
    CHECK(finding.where == "agent_response request_id=" + run.planned[1].request_id_prefix + "2");
    canary = canary || (finding.kind == cast::controller::FindingKind::foreign_canary &&
                        finding.excerpt.find(marked(owner.canary)) != std::string::npos);
    profile = profile || finding.kind == cast::controller::FindingKind::foreign_profile;
    agent = agent || (finding.kind == cast::controller::FindingKind::foreign_agent_id &&
                      finding.excerpt.find(marked(agent_of(3))) != std::string::npos);
  }
  CHECK(canary);
  CHECK(profile);
  CHECK(agent);
  CHECK(report.findings.size() == 3);  // one per kind: the profile's two values are one finding
}

TEST_CASE("isolation detector: a canary hidden by JSON unicode escapes is found in the unescaped form") {
  Run run = clean_run();
  std::string hidden = "\\u0063" + run.planned[4].canary.substr(1);
  run.record.observations.push_back(observe(run, 0, R"({"type":"agent_response","content":"x )" + hidden + R"("})"));
  Finding finding = only_finding(run, cast::controller::FindingKind::foreign_canary, 0, run.planned[4].user_id);
  CHECK(finding.excerpt.starts_with("[json] "));
  CHECK(finding.excerpt.find(marked(run.planned[4].canary)) != std::string::npos);

  // The same in a payload cut by the capture cap, which no JSON parser accepts.
  Run cut = clean_run();
  auto seen = observe(cut, 0, R"({"type":"agent_response","content":"x )" + hidden + " and more");
  seen.truncated = true;
  cut.record.observations.push_back(seen);
  CHECK(only_finding(cut, cast::controller::FindingKind::foreign_canary, 0, cut.planned[4].user_id)
            .excerpt.starts_with("[json] "));
}

TEST_CASE("isolation detector: URL-encoded profile values are found over REST too") {
  Run run = clean_run();
  const PlannedUser& owner = run.planned[5];
  run.record.observations.push_back(observe(run, 1, "{\"next\":\"/users?e=" + url_encode(owner.profile.email) + "\"}",
                                            ObservationChannel::rest, "state"));
  Finding finding = only_finding(run, cast::controller::FindingKind::foreign_profile, 1, owner.user_id);
  CHECK(finding.channel == "rest");
  CHECK(finding.where.starts_with("state answer"));
  CHECK(finding.excerpt.starts_with("[url] "));
  CHECK(finding.excerpt.find(marked(owner.profile.email)) != std::string::npos);
}

TEST_CASE("isolation detector: a base64-encoded canary is found") {
  Run run = clean_run();
  std::string blob = base64_encode("context=" + run.planned[3].canary + ";");
  run.record.observations.push_back(observe(run, 2, R"({"type":"agent_response","attachment":")" + blob + R"("})"));
  Finding finding = only_finding(run, cast::controller::FindingKind::foreign_canary, 2, run.planned[3].user_id);
  CHECK(finding.excerpt.starts_with("[base64] "));
  CHECK(finding.excerpt.find(marked(run.planned[3].canary)) != std::string::npos);
}

TEST_CASE("isolation detector: forged and mangled canaries of this run are reported as forged") {
  Run run = clean_run();
  std::string forged = run.planned[3].canary;
  forged.back() = forged.back() == '0' ? '1' : '0';  // right shape, wrong tag
  run.record.observations.push_back(observe(run, 1, R"({"type":"agent_response","content":")" + forged + R"("})"));
  Finding finding = only_finding(run, cast::controller::FindingKind::forged_canary, 1, run.planned[3].user_id);
  CHECK(finding.excerpt.find(marked(forged)) != std::string::npos);

  Run mangled = clean_run();
  std::string cut_short = mangled.planned[4].canary.substr(0, mangled.planned[4].canary.size() - 5);
  mangled.record.observations.push_back(observe(mangled, 1, "content: " + cut_short + " ok"));
  only_finding(mangled, cast::controller::FindingKind::forged_canary, 1, mangled.planned[4].user_id);
}

TEST_CASE("isolation detector: a canary cut by the capture cap or of another run is noted and not found") {
  Run run = clean_run();
  const std::string& canary = run.planned[3].canary;
  auto seen = observe(run, 1, "{\"content\":\"" + canary.substr(0, canary.size() - 4));
  seen.truncated = true;
  run.record.observations.push_back(seen);
  CanaryAuthority other_run("run-20251231-000000-zzz999", kRunKey);
  run.record.observations.push_back(observe(run, 1, "old " + other_run.mint(3)));
  auto report = detect(run);
  CHECK(report.findings.empty());
  REQUIRE(report.notes.size() == 2);
  CHECK(report.notes[0].find("1 canaries of another run") != std::string::npos);
  CHECK(report.notes[1].find("capture cap") != std::string::npos);
}

TEST_CASE("isolation detector: a foreign email and user id and request id and agent id are each found") {
  Run run = clean_run();
  run.record.observations.push_back(
      observe(run, 0, "{\"type\":\"agent_status\",\"email\":\"" + run.planned[2].profile.email + "\"}"));
  only_finding(run, cast::controller::FindingKind::foreign_profile, 0, run.planned[2].user_id);

  Run ids = clean_run();
  ids.record.observations.push_back(observe(ids, 0, "{\"type\":\"error\",\"message\":\"" + agent_of(4) + "\"}"));
  ids.record.observations.push_back(
      observe(ids, 1, "{\"type\":\"ack\",\"request_id\":\"" + ids.planned[3].request_id_prefix + "17\"}"));
  ids.record.observations.push_back(observe(ids, 2, "{\"type\":\"ack\",\"owner\":\"" + ids.planned[5].user_id + "\"}"));
  auto report = detect(ids);
  REQUIRE(report.findings.size() == 3);
  CHECK(report.findings[0].kind == cast::controller::FindingKind::foreign_agent_id);
  CHECK(report.findings[0].owner == ids.planned[4].user_id);
  CHECK(report.findings[1].kind == cast::controller::FindingKind::foreign_request_id);
  CHECK(report.findings[1].excerpt.find(marked(ids.planned[3].request_id_prefix + "17")) != std::string::npos);
  CHECK(report.findings[2].kind == cast::controller::FindingKind::foreign_user_id);
  CHECK(report.findings[2].owner == ids.planned[5].user_id);
}

TEST_CASE("isolation detector: a user id that is only the start of a longer token is no match") {
  Run run = clean_run();
  const std::string& id = run.planned[3].user_id;
  run.record.observations.push_back(observe(run, 0, "ids " + id + "7 " + id + "x x" + id + " 9" + id));
  CHECK(detect(run).findings.empty());
}

TEST_CASE("isolation detector: the victim's agent id in a probe answer is expected but its data is not") {
  Run run = clean_run();
  std::string denied = R"({"type":"error","code":"not_found","message":"no agent )" + agent_of(3) + R"("})";
  run.record.observations.push_back(observe(run, 1, denied, ObservationChannel::ws, "probe"));
  CHECK(detect(run).findings.empty());

  run.record.observations.push_back(observe(run, 1,
                                            json{{"type", "agent_state"},
                                                 {"agent_id", agent_of(3)},
                                                 {"user_id", run.planned[1].user_id},
                                                 {"state", {{"canary", run.planned[3].canary}}}}
                                                .dump(),
                                            ObservationChannel::ws, "probe"));
  only_finding(run, cast::controller::FindingKind::foreign_canary, 1, run.planned[3].user_id);
}

TEST_CASE("isolation detector: agent_started or agent_state naming another user is an identity mismatch") {
  Run run = clean_run();
  run.record.observations[0].payload =
      json{{"type", "agent_started"}, {"agent_id", agent_of(0)}, {"user_id", "u-999999"}, {"startup_ms", 2}}.dump();
  Finding finding = detect(run).findings.at(0);
  CHECK(finding.kind == cast::controller::FindingKind::identity_mismatch);
  CHECK(finding.test_case == cast::controller::TestCaseId::startup_isolation);
  CHECK(finding.observer == run.planned[0].user_id);
  CHECK(finding.owner == "u-999999");
  CHECK(finding.excerpt.find(marked("u-999999")) != std::string::npos);

  Run state = clean_run();
  state.record.observations.push_back(observe(state, 2,
                                              json{{"type", "agent_state"},
                                                   {"agent_id", agent_of(2)},
                                                   {"user_id", state.planned[4].user_id},
                                                   {"state", json::object()}}
                                                  .dump()));
  auto report = detect(state);
  REQUIRE(report.findings.size() == 2);  // the mismatch, and the foreign user id it carries
  CHECK(report.findings[0].kind == cast::controller::FindingKind::foreign_user_id);
  CHECK(report.findings[1].kind == cast::controller::FindingKind::identity_mismatch);
  CHECK(report.findings[1].owner == state.planned[4].user_id);

  DetectorOptions started_only;
  started_only.identity_echo_types = {"agent_started"};
  CHECK(detect(state, started_only).findings.size() == 1);
}

TEST_CASE("isolation detector: repeated evidence folds into one counted finding and the total is capped") {
  Run run = clean_run();
  for (int i = 0; i < 50; ++i) {
    run.record.observations.push_back(observe(
        run, 1, "{\"type\":\"agent_response\",\"c\":\"" + run.planned[2].canary + " " + run.planned[2].canary + "\"}"));
  }
  auto report = detect(run);
  REQUIRE(report.findings.size() == 1);
  CHECK(report.findings[0].where.ends_with("(in 50 payloads)"));

  for (std::size_t observer = 0; observer < run.planned.size(); ++observer) {
    run.record.observations.push_back(observe(run, observer, reply(run, observer, (observer + 1) % 6)));
  }
  DetectorOptions capped;
  capped.max_findings = 4;
  auto capped_report = detect(run, capped);
  CHECK(capped_report.findings.size() == 4);
  REQUIRE(capped_report.notes.size() == 1);
  CHECK(capped_report.notes[0].find("capped at 4") != std::string::npos);
  CHECK(capped_report.findings_cap == 4);
  CHECK(capped_report.cross_contamination_payloads_past_cap > 0);
  CHECK(report.cross_contamination_payloads_past_cap == 0);
}

TEST_CASE("isolation detector: an agent id two users hold is left to the judge's duplicate check") {
  Run run = clean_run();
  run.record.users[3].agent_id = agent_of(2);
  auto report = detect(run);
  CHECK(report.findings.empty());
  REQUIRE(report.notes.size() == 1);
  CHECK(report.notes[0].find("duplicate_agent_id") != std::string::npos);
}

TEST_CASE("isolation detector: a canary key of another run is refused") {
  Run run = clean_run();
  CanaryAuthority other("run-20251231-000000-zzz999", kRunKey);
  CHECK_THROWS_AS(ContaminationDetector().scan(run.record, run.planned, other), std::invalid_argument);
}
