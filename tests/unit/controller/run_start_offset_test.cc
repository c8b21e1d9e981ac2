#include <doctest/doctest.h>

#include "controller/run/start_offset.h"

using namespace cast::controller;  // the code under test
using namespace std::chrono_literals;

namespace {

// A worker whose best Ping/Pong round trip took `round_trip_us`.
WorkerSnapshot measured(std::int64_t round_trip_us) {
  WorkerSnapshot worker;
  worker.clock.add_sample(1'000'000, 5'000'000, 1'000'000 + round_trip_us);
  return worker;
}

}  // namespace

TEST_CASE("start offset: local workers on loopback get the short floor") {
  auto start = choose_start_offset(std::nullopt, true, {measured(300), measured(450)});
  CHECK(start.offset == kLocalStartOffsetFloor);
  CHECK(start.basis.find("0.5 ms") != std::string::npos);
}

TEST_CASE("start offset: a slow round trip stretches it beyond the floor") {
  auto start = choose_start_offset(std::nullopt, true, {measured(300), measured(40'000)});
  CHECK(start.offset == 320ms);  // 8 x 40 ms
}

TEST_CASE("start offset: remote workers and a worker not measured keep the safe default") {
  CHECK(choose_start_offset(std::nullopt, false, {measured(300)}).offset == kRemoteStartOffsetFloor);
  CHECK(choose_start_offset(std::nullopt, true, {measured(300), WorkerSnapshot{}}).offset == kRemoteStartOffsetFloor);
  CHECK(choose_start_offset(std::nullopt, false, {measured(200'000)}).offset == 1'600ms);
}

TEST_CASE("start offset: a worker given up does not count, and a configured offset wins over everything") {
  auto lost = measured(900'000);
  lost.given_up = true;
  CHECK(choose_start_offset(std::nullopt, true, {measured(300), lost}).offset == kLocalStartOffsetFloor);
  auto configured = choose_start_offset(50ms, false, {WorkerSnapshot{}});
  CHECK(configured.offset == 50ms);
  CHECK(configured.basis == "timeouts.start_offset_ms");
}
