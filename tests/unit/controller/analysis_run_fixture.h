#pragma once

// A hand-made run that passes every criterion, for the analysis and report
// tests to spoil one piece at a time.

#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "controller/analysis/judge.h"
#include "controller/analysis/run_record.h"
#include "controller/config/run_config.h"
#include "controller/plan/population.h"

namespace cast::testing {

using namespace cast::controller;  // the code these tests exercise

struct CleanRun {
  std::vector<PlannedUser> planned;
  RunRecord record;
  RunConfig config;
};

inline Observation observe(const PlannedUser& user, const nlohmann::json& frame, std::int64_t offset_us) {
  Observation seen;
  seen.user_index = static_cast<std::uint32_t>(user.index);
  seen.payload = frame.dump();
  seen.original_size = static_cast<std::uint32_t>(seen.payload.size());
  seen.request_id = frame.value("request_id", "");
  seen.agent_id = frame.value("agent_id", "");
  seen.offset_us = offset_us;
  seen.phase = frame.value("type", "") == "agent_started" ? "start" : "message";
  return seen;
}

inline void add_user(CleanRun& run, const PlannedUser& user) {
  UserOutcome outcome;
  outcome.index = static_cast<std::uint32_t>(user.index);
  outcome.user_id = user.user_id;
  outcome.worker_id = user.index % 2 == 0 ? "w-0" : "w-1";
  outcome.done = true;
  outcome.token_us = 5'000;
  outcome.connect_us = 8'000;
  outcome.start_us = 100'000 + static_cast<std::int64_t>(user.index) * 1'000;  // 100 ms + i ms
  outcome.message_us = {20'000, 21'000};
  outcome.state_us = 3'000;
  outcome.max_schedule_lag_us = 2'000;
  outcome.agent_id = "agent-" + std::to_string(user.index);
  run.record.users.push_back(outcome);
  run.record.observations.push_back(observe(user,
                                            {{"type", "agent_started"},
                                             {"request_id", user.request_id_prefix + "1"},
                                             {"agent_id", outcome.agent_id},
                                             {"user_id", user.user_id},
                                             {"startup_ms", 12.5}},
                                            110'000));
  std::string reply = "You said: \"hello " + user.canary + "\". I remember: {\"canary\":\"" + user.canary + "\"}";
  run.record.observations.push_back(observe(user,
                                            {{"type", "agent_response"},
                                             {"request_id", user.request_id_prefix + "2"},
                                             {"agent_id", outcome.agent_id},
                                             {"content", reply}},
                                            140'000));
}

inline CleanRun clean_run(std::size_t users = 10) {
  CleanRun run;
  PopulationSpec spec;
  spec.run_id = "run-20260101-120000-abc123";
  spec.run_key = std::string(32, '\x17');
  spec.users = users;
  run.planned = plan_population(spec);
  run.record.run_id = spec.run_id;
  run.record.users_planned = static_cast<std::uint32_t>(users);
  run.record.duration_s = 4.5;
  run.record.start_skew_us = 3'000;
  for (const PlannedUser& user : run.planned) {
    add_user(run, user);
  }
  for (int w = 0; w < 2; ++w) {
    WorkerRecord worker;
    worker.worker_id = "w-" + std::to_string(w);
    worker.host = "127.0.0.1";
    worker.pid = 4000 + static_cast<std::uint32_t>(w);
    worker.capacity = 100;
    worker.users = static_cast<std::uint32_t>(users / 2);
    worker.events = 60;
    worker.peak_cpu_percent = 60;
    worker.cores = 2;
    worker.peak_rss_bytes = 50ull << 20;
    run.record.workers.push_back(worker);
  }
  for (int s = 0; s < 3; ++s) {
    run.record.resources.push_back({static_cast<double>(s), 30.0 + s, 200.0 + s, 10.0});
  }
  run.config.users = static_cast<int>(users);
  return run;
}

// Judging helpers; they REQUIRE what they look up.

inline const cast::controller::TestCaseResult& test_case(const cast::controller::RunVerdict& verdict,
                                                         cast::controller::TestCaseId id) {
  auto it = std::find_if(verdict.test_cases.begin(), verdict.test_cases.end(),
                         [&](const cast::controller::TestCaseResult& result) { return result.id == id; });
  REQUIRE(it != verdict.test_cases.end());
  return *it;
}

inline const cast::controller::Criterion& criterion(const cast::controller::RunVerdict& verdict,
                                                    cast::controller::TestCaseId id, const std::string& name) {
  const auto& result = test_case(verdict, id);
  auto it = std::find_if(result.criteria.begin(), result.criteria.end(),
                         [&](const cast::controller::Criterion& c) { return c.name == name; });
  REQUIRE(it != result.criteria.end());
  return *it;
}

inline cast::controller::RunVerdict judge(const CleanRun& run) {
  return cast::controller::judge_run(run.record, run.config, run.planned);
}

// Gives user `index` the agent id `agent_id` everywhere the run mentions it.
inline void set_agent(CleanRun& run, std::size_t index, const std::string& agent_id) {
  std::string old = run.record.users[index].agent_id;
  run.record.users[index].agent_id = agent_id;
  for (auto& seen : run.record.observations) {
    if (seen.user_index == index) {
      seen.agent_id = agent_id;
      auto at = seen.payload.find("\"" + old + "\"");
      REQUIRE(at != std::string::npos);
      seen.payload.replace(at + 1, old.size(), agent_id);
    }
  }
}

// User `observer` receives a reply meant for user `owner`.
inline void misroute(CleanRun& run, std::size_t observer, std::size_t owner) {
  const auto& victim = run.planned[owner];
  nlohmann::json frame = {{"type", "agent_response"},
                          {"request_id", victim.request_id_prefix + "2"},
                          {"agent_id", run.record.users[owner].agent_id},
                          {"content", "quoting " + victim.canary}};
  auto seen = observe(run.planned[observer], frame, 150'000);
  run.record.observations.push_back(seen);
}

}  // namespace cast::testing
