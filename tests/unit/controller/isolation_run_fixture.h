#pragma once

// A planned run whose every user saw only its own values (its start, a
// reply quoting its context, its state over REST), for the contamination
// detector's tests to spoil one observation at a time.

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/identity/canary.h"
#include "controller/isolation/contamination_detector.h"
#include "controller/plan/population.h"

namespace cast::testing::detector {

using namespace cast::controller;  // the code these tests exercise

using nlohmann::json;

inline const std::string kRunId = "run-20260101-120000-abc123";
inline const std::string kRunKey(32, '\x17');

struct Run {
  std::vector<PlannedUser> planned;
  RunRecord record;
  CanaryAuthority canaries{kRunId, kRunKey};
};

inline std::string agent_of(std::size_t index) { return "agent-" + std::to_string(index) + "f00d"; }

inline Observation observe(const Run& run, std::size_t observer, std::string payload,
                           ObservationChannel channel = ObservationChannel::ws, std::string phase = "message") {
  Observation seen;
  seen.user_index = static_cast<std::uint32_t>(observer);
  seen.channel = channel;
  seen.payload = std::move(payload);
  seen.original_size = static_cast<std::uint32_t>(seen.payload.size());
  seen.request_id = run.planned[observer].request_id_prefix + "2";
  seen.offset_us = 1'500'000;
  seen.phase = std::move(phase);
  return seen;
}

// A reply as the reference agent writes it, quoting `whose` context.
inline std::string reply(const Run& run, std::size_t to, std::size_t whose) {
  const PlannedUser& user = run.planned[whose];
  json context{{"canary", user.canary}, {"email", user.profile.email}, {"name", user.profile.display_name}};
  return json{{"type", "agent_response"},
              {"request_id", run.planned[to].request_id_prefix + "2"},
              {"agent_id", agent_of(whose)},
              {"content", "You said: \"hi " + user.canary + "\". I remember: " + context.dump()}}
      .dump();
}

inline Run clean_run(std::size_t users = 6) {
  Run run;
  PopulationSpec spec;
  spec.run_id = kRunId;
  spec.run_key = kRunKey;
  spec.users = users;
  run.planned = plan_population(spec);
  run.record.run_id = kRunId;
  for (const PlannedUser& user : run.planned) {
    UserOutcome outcome;
    outcome.index = static_cast<std::uint32_t>(user.index);
    outcome.user_id = user.user_id;
    outcome.agent_id = agent_of(user.index);
    run.record.users.push_back(outcome);
    run.record.observations.push_back(observe(run, user.index,
                                              json{{"type", "agent_started"},
                                                   {"request_id", user.request_id_prefix + "1"},
                                                   {"agent_id", outcome.agent_id},
                                                   {"user_id", user.user_id},
                                                   {"startup_ms", 3.5}}
                                                  .dump(),
                                              ObservationChannel::ws, "start"));
    run.record.observations.push_back(observe(run, user.index, reply(run, user.index, user.index)));
    run.record.observations.push_back(observe(
        run, user.index,
        json{{"agent_id", outcome.agent_id}, {"user_id", user.user_id}, {"state", {{"canary", user.canary}}}}.dump(),
        ObservationChannel::rest, "state"));
  }
  return run;
}

inline ContaminationReport detect(const Run& run, DetectorOptions options = {}) {
  return ContaminationDetector(std::move(options)).scan_with_notes(run.record, run.planned, run.canaries);
}

// Exactly one finding, of `kind`, seen by user `observer`, owned by `owner`.
inline Finding only_finding(const Run& run, cast::controller::FindingKind kind, std::size_t observer,
                            const std::string& owner) {
  auto report = detect(run);
  REQUIRE(report.findings.size() == 1);
  const Finding& finding = report.findings.front();
  CHECK(finding.kind == kind);
  CHECK(finding.observer == run.planned[observer].user_id);
  CHECK(finding.owner == owner);
  CHECK(finding.t_s == doctest::Approx(1.5));
  return finding;
}

inline std::string marked(const std::string& value) { return ">>>" + value + "<<<"; }

}  // namespace cast::testing::detector
