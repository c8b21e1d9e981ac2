#pragma once

// The liveness deadlines of the cast processes a test starts, stretched by
// CAST_TEST_TIME_SCALE through their own settings (tests/support/time_scale.h
// does it for the coordinators and links a test builds in its process).

#include <chrono>
#include <map>
#include <string>

namespace cast::test {

// The product's defaults, times the scale: a worker silent this long is
// lost, one whose stream closed must be back within the grace, and a
// worker takes a controller silent this long for dead.
std::chrono::milliseconds scaled_worker_silence();
std::chrono::milliseconds scaled_reconnect_grace();
std::chrono::milliseconds scaled_controller_silence();

// CAST_WORKER_SILENCE_MS, CAST_RECONNECT_GRACE_MS and
// CAST_CONTROLLER_SILENCE_MS with those values, added to `env` where the
// test did not set them itself; nothing at scale 1, so the normal build
// runs the product's own deadlines. `cast run` hands them to its workers.
void add_scaled_liveness(std::map<std::string, std::string>& env);

}  // namespace cast::test
