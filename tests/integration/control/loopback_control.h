#pragma once

// What the control-plane tests share to put a real Coordinator and real
// ControllerLinks in one process on 127.0.0.1: the link's configuration, a
// one-user assignment and a worker brought to Ready with it, and the
// coordinator's view of one worker. Kept beside the tests (not in
// tests/support) because it is built from the code under test.

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "controller/coordination/coordinator.h"
#include "worker/control/controller_link.h"

namespace cast::test {

// A worker named `worker_id` (capacity 4) dialling the coordinator on
// 127.0.0.1:port, and dialling again 50 ms after a broken stream.
inline cast::worker::ControllerLinkConfig loopback_link_config(std::uint16_t port, const std::string& worker_id,
                                                               const std::string& token = "") {
  cast::worker::ControllerLinkConfig config;
  config.controller_address = "127.0.0.1:" + std::to_string(port);
  config.auth_token = token;
  config.hello.set_worker_id(worker_id);
  config.hello.set_host("localhost");
  config.hello.set_capacity(4);
  config.hello.set_version("test");
  config.reconnect_delay = std::chrono::milliseconds{50};
  return config;
}

// One user, index 0 and id "u-0", in the run `run_id`.
inline cast::v1::Assignment one_user_assignment(const std::string& run_id) {
  cast::v1::Assignment assignment;
  assignment.set_run_id(run_id);
  auto* user = assignment.add_users();
  user->set_index(0);
  user->set_user_id("u-0");
  return assignment;
}

// Brings one worker to Ready: its link started, attached, given one user
// of `run_id`, ready, and the coordinator seeing it so.
inline void ready_with_one_user(cast::controller::Coordinator& coordinator, cast::worker::ControllerLink& link,
                                const std::string& worker_id, const std::string& run_id) {
  constexpr auto patience = std::chrono::seconds{60};  // generous: the machine is shared
  link.start();
  coordinator.wait_for_workers(1, patience);
  coordinator.assign(worker_id, one_user_assignment(run_id));
  REQUIRE(link.wait_for_assignment(patience));
  link.report_ready(1);
  coordinator.wait_for_ready(patience);
}

// The coordinator's snapshot of `worker_id`; the test fails when it is unknown.
inline cast::controller::WorkerSnapshot snapshot_of(cast::controller::Coordinator& coordinator,
                                                    const std::string& worker_id) {
  for (auto& snapshot : coordinator.workers()) {
    if (snapshot.worker_id == worker_id) return snapshot;
  }
  FAIL("worker " << worker_id << " unknown to the coordinator");
  return {};
}

}  // namespace cast::test
