// Users dealt to a worker after its assignment (those of a worker lost
// before the go), over real gRPC on 127.0.0.1: a real Coordinator deals them
// as further Assignment parts and a real ControllerLink hands each out once,
// before the go only.
#include <doctest/doctest.h>

#include "controller/coordination/coordinator.h"
#include "tests/integration/control/loopback_control.h"
#include "tests/support/eventually.h"
#include "tests/support/time_scale.h"
#include "worker/control/controller_link.h"

using namespace std::chrono_literals;
using namespace cast::controller;  // the code under test
using namespace cast::test;
using cast::worker::ControllerLink;

namespace {

constexpr auto patience = std::chrono::seconds{60};  // generous: the machine is shared

// `count` users from global index `first`.
cast::v1::Assignment users_from(std::uint32_t first, std::uint32_t count) {
  auto assignment = one_user_assignment("run-parts");
  assignment.clear_users();
  for (auto index = first; index < first + count; ++index) {
    auto* user = assignment.add_users();
    user->set_index(index);
    user->set_user_id("u-" + std::to_string(index));
  }
  return assignment;
}

std::vector<std::uint32_t> indices_of(const std::vector<cast::v1::Assignment>& parts) {
  std::vector<std::uint32_t> indices;
  for (const auto& part : parts) {
    for (const auto& user : part.users()) indices.push_back(user.index());
  }
  return indices;
}

}  // namespace

TEST_CASE(
    "further assignment parts are handed out once each before the go, owe a new Ready, and are refused after it") {
  Coordinator coordinator(with_scaled_deadlines(CoordinatorConfig{}), [](const std::string&, auto&&) {});
  auto port = coordinator.start();
  ControllerLink link(with_scaled_silence(loopback_link_config(port, "w-taker")));
  ready_with_one_user(coordinator, link, "w-taker", "run-parts");
  CHECK(link.take_more_users().empty());

  // Users of a worker lost before the go: part 1, which wakes the wait for the go.
  coordinator.assign("w-taker", users_from(1, 2));
  CHECK_FALSE(link.wait_for_go(patience).has_value());
  auto first = link.take_more_users();
  REQUIRE(first.size() == 1);
  CHECK(first[0].part() == 1);
  CHECK(indices_of(first) == std::vector<std::uint32_t>{1, 2});
  CHECK(snapshot_of(coordinator, "w-taker").state == WorkerState::assigned);  // owes a Ready counting them

  // A reconnect re-sends the assignment and part 1; only part 2, sent after
  // them on the new stream, is new.
  link.interrupt();
  REQUIRE(eventually([&] { return snapshot_of(coordinator, "w-taker").reconnects >= 1; }, patience, 10ms));
  coordinator.assign("w-taker", users_from(3, 1));
  CHECK_FALSE(link.wait_for_go(patience).has_value());
  auto second = link.take_more_users();
  REQUIRE(second.size() == 1);
  CHECK(second[0].part() == 2);
  CHECK(indices_of(second) == std::vector<std::uint32_t>{3});

  // The Ready counting every part readies it.
  link.report_ready(4, 3);
  coordinator.wait_for_ready(patience);
  auto ready = snapshot_of(coordinator, "w-taker");
  CHECK(ready.state == WorkerState::ready);
  CHECK(ready.users_prepared == 4);

  coordinator.broadcast_go(20ms);
  CHECK(link.wait_for_go(patience).has_value());
  // A part after the go cannot start with the others: refused, never handed out.
  coordinator.assign("w-taker", users_from(4, 1));
  REQUIRE(eventually([&] { return link.stats().parts_refused == 1; }, patience, 10ms));
  CHECK(link.take_more_users().empty());
  link.abandon();
}
