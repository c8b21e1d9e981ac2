#include <doctest/doctest.h>

#include <numeric>

#include "controller/report/run_timeline.h"

using namespace cast::controller;  // the code under test

namespace {

cast::controller::UserOutcome user(std::int64_t began, std::int64_t connected, std::int64_t started,
                                   std::int64_t finished) {
  cast::controller::UserOutcome u;
  u.began_at_us = began;
  u.connected_at_us = connected;
  u.agent_started_at_us = started;
  u.finished_at_us = finished;
  u.done = true;
  return u;
}

}  // namespace

TEST_CASE("timeline: a user moves through the phases at its offsets") {
  auto u = user(100'000, 200'000, 300'000, 900'000);
  CHECK(cast::controller::phase_at(u, 0.05, 1) == cast::controller::UserPhase::waiting);
  CHECK(cast::controller::phase_at(u, 0.15, 1) == cast::controller::UserPhase::connecting);
  CHECK(cast::controller::phase_at(u, 0.25, 1) == cast::controller::UserPhase::starting);
  CHECK(cast::controller::phase_at(u, 0.5, 1) == cast::controller::UserPhase::in_session);
  CHECK(cast::controller::phase_at(u, 0.9, 1) == cast::controller::UserPhase::done);
  u.done = false;
  u.failed = true;
  CHECK(cast::controller::phase_at(u, 0.95, 1) == cast::controller::UserPhase::failed);
  cast::controller::UserOutcome lost;  // lost with its worker: no offsets, failed from the end on
  lost.failed = lost.lost = true;
  CHECK(cast::controller::phase_at(lost, 0.5, 1) == cast::controller::UserPhase::waiting);
  CHECK(cast::controller::phase_at(lost, 1, 1) == cast::controller::UserPhase::failed);
}

TEST_CASE("timeline: every user is in one phase at every instant, and rates add up to the events") {
  cast::controller::RunRecord record;
  record.duration_s = 2;
  for (int i = 0; i < 30; ++i)
    record.users.push_back(user(i * 10'000, i * 10'000 + 5'000, 500'000 + i * 20'000, 1'500'000));
  auto failed = user(0, 10'000, 20'000, 1'000'000);
  failed.done = false;
  failed.failed = true;
  record.users.push_back(failed);
  auto t = cast::controller::build_timeline(record, 50, 20);
  CHECK(t.end_s == doctest::Approx(2.0));
  REQUIRE(t.t_s.size() == 50);
  for (std::size_t i = 0; i < t.t_s.size(); ++i) {
    double sum = 0;
    for (const auto& counts : t.users) sum += counts[i];
    CHECK(sum == doctest::Approx(31));
  }
  CHECK(t.users[static_cast<std::size_t>(cast::controller::UserPhase::done)].back() == doctest::Approx(30));
  CHECK(t.users[static_cast<std::size_t>(cast::controller::UserPhase::failed)].back() == doctest::Approx(1));
  CHECK(t.bin_s == doctest::Approx(0.1));
  CHECK(t.startups == 31);
  CHECK(t.failures == 1);
  double started = std::accumulate(t.startups_per_s.begin(), t.startups_per_s.end(), 0.0) * t.bin_s;
  CHECK(started == doctest::Approx(31));
  double failures = std::accumulate(t.failures_per_s.begin(), t.failures_per_s.end(), 0.0) * t.bin_s;
  CHECK(failures == doctest::Approx(1));
}

TEST_CASE("timeline: an empty run has a time axis and no events") {
  auto t = cast::controller::build_timeline(cast::controller::RunRecord{});
  CHECK(t.end_s == 0);
  CHECK(t.t_s.size() >= 2);
  CHECK(t.startups_per_s.size() >= 1);
  CHECK(t.startups == 0);
  CHECK(cast::controller::round_bin_width(0.5, 50) == doctest::Approx(0.01));
  CHECK(cast::controller::round_bin_width(84, 50) == doctest::Approx(2));
}
