#pragma once

// gRPC 1.51 (Debian 12) shuts its process-wide callback completion queue down
// when the last server using it goes away, and starts a new one with the next
// server; under load that restart races with the old queue's threads and
// aborts ("assertion failed: prior > 0" in grpc_cq_internal_unref, seen in
// integration.probes.probe_phase). cast runs one coordinator per process, so
// only test binaries that run many coordinators one after another meet it;
// they keep one idle coordinator for the whole process, so the queue never
// restarts.

#include <memory>

#include "controller/coordination/coordinator.h"

namespace cast::test {

using namespace cast::controller;  // the code these tests exercise

inline void keep_grpc_callback_queue() {
  static const auto keeper = [] {
    auto idle = std::make_unique<controller::Coordinator>(controller::CoordinatorConfig{}, nullptr);
    idle->start();
    return idle;
  }();
  (void)keeper;
}

}  // namespace cast::test
