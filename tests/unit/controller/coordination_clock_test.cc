#include <doctest/doctest.h>

#include "controller/coordination/clock_estimate.h"

using namespace cast::controller;  // the code under test

using cast::controller::ClockEstimate;

TEST_CASE("ClockEstimate keeps the offset of the shortest round trip") {
  ClockEstimate clock;
  CHECK_FALSE(clock.known());
  // The worker's clock runs 5 s ahead. A slow trip (queued on the way back)
  // would put the offset off by 1 ms; the fast one after it is exact.
  clock.add_sample(1'000'000, 6'001'000, 1'004'000);
  CHECK(clock.offset_us() == 6'001'000 - 1'002'000);
  clock.add_sample(2'000'000, 7'000'100, 2'000'200);
  CHECK(clock.samples() == 2);
  CHECK(clock.best_round_trip_us() == 200);
  CHECK(clock.offset_us() == 5'000'000);
  // A later, slower sample changes nothing.
  clock.add_sample(3'000'000, 8'003'000, 3'009'000);
  CHECK(clock.offset_us() == 5'000'000);
  CHECK(clock.to_worker(10'000'000) == 15'000'000);
  CHECK(clock.to_controller(15'000'000) == 10'000'000);
}

TEST_CASE("ClockEstimate ignores a Pong that came back before its Ping left, and handles a clock behind ours") {
  ClockEstimate clock;
  clock.add_sample(5'000, 1, 4'000);
  CHECK_FALSE(clock.known());
  clock.add_sample(9'000'000'000'001, 1'000, 9'000'000'000'003);
  CHECK(clock.known());
  CHECK(clock.offset_us() == 1'000 - 9'000'000'000'002);
}
