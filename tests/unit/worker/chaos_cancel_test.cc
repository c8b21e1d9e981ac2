// Which users --cancel-rate picks: reproducible from the run id alone, and
// close to the rate over many users.
#include <doctest/doctest.h>
#include <cmath>
#include <set>
#include <string>

#include "cast_control.pb.h"
#include "worker/session/cancel_chaos.h"
#include "worker/session/run_setup.h"

namespace cast::worker {
namespace {

std::set<std::uint32_t> chosen(const std::string& run_id, std::uint32_t users, double rate) {
  std::set<std::uint32_t> out;
  for (std::uint32_t i = 0; i < users; ++i) {
    if (chosen_to_cancel(run_id, i, rate)) {
      out.insert(i);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("the cancel draw is a pure function of run id and user index between 0 and 1") {
  for (std::uint32_t i = 0; i < 1000; ++i) {
    auto draw = cancel_draw("run-20240101-000000-abcdef", i);
    CHECK(draw >= 0.0);
    CHECK(draw < 1.0);
    CHECK(draw == cancel_draw("run-20240101-000000-abcdef", i));
  }
  CHECK(chosen("run-a", 200, 0.2) == chosen("run-a", 200, 0.2));
  // Another run picks other users, so no user is always the one cancelled.
  CHECK(chosen("run-a", 200, 0.2) != chosen("run-b", 200, 0.2));
}

TEST_CASE("rate 0 cancels nobody, rate 1 everybody, and a higher rate keeps every user a lower one chose") {
  CHECK(chosen("run-x", 500, 0.0).empty());
  CHECK(chosen("run-x", 500, 1.0).size() == 500);
  auto low = chosen("run-x", 500, 0.1);
  auto high = chosen("run-x", 500, 0.3);
  for (auto index : low) {
    CHECK(high.count(index) == 1);
  }
}

TEST_CASE("over many users the chosen share is close to the rate") {
  // 20,000 users: one standard deviation is under 0.3 percentage points,
  // so +-1.5 points fails only for a broken draw.
  for (double rate : {0.05, 0.2, 0.5, 0.9}) {
    for (const char* run_id : {"run-20240101-000000-abcdef", "chaos", "run-20991231-235959-zzzzzz"}) {
      auto share = static_cast<double>(chosen(run_id, 20'000, rate).size()) / 20'000.0;
      CHECK_MESSAGE(std::abs(share - rate) < 0.015, run_id << " at rate " << rate << " chose " << share);
    }
  }
}

TEST_CASE("the assignment cancel rate reaches the worker run setup clamped between 0 and 1") {
  cast::v1::Assignment assignment;
  assignment.set_run_id("run-chaos");
  CHECK(run_setup_from(assignment).cancel_rate == 0.0);
  assignment.mutable_scenario()->set_cancel_rate(0.25);
  CHECK(run_setup_from(assignment).cancel_rate == 0.25);
  assignment.mutable_scenario()->set_cancel_rate(7.0);
  CHECK(run_setup_from(assignment).cancel_rate == 1.0);
  assignment.mutable_scenario()->set_cancel_rate(-1.0);
  CHECK(run_setup_from(assignment).cancel_rate == 0.0);
}

}  // namespace cast::worker
