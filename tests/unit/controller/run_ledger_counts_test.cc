#include <doctest/doctest.h>

#include "cast_control.pb.h"
#include "controller/run/event_ledger.h"

using namespace cast::controller;  // the code under test

namespace {

cast::v1::Event event(std::uint32_t user, cast::v1::EventKind kind, cast::v1::Phase phase = cast::v1::PHASE_UNSPECIFIED,
                      std::int64_t duration_us = 0) {
  cast::v1::Event e;
  e.set_user_index(user);
  e.set_kind(kind);
  e.set_phase(phase);
  e.set_duration_us(duration_us);
  e.set_offset_us(duration_us);
  return e;
}

}  // namespace

TEST_CASE("ledger counts users by phase as events fold, for the progress line") {
  cast::controller::EventLedger ledger({"u-0", "u-1", "u-2", "u-3", "u-4"});
  ledger.assign("w-0", {0, 1, 2, 3, 4});
  auto counts = ledger.user_counts();
  CHECK(counts.connecting == 5);
  CHECK(counts.started + counts.done + counts.failed + counts.cancelled == 0);

  ledger.apply("w-0", event(0, cast::v1::PHASE_FINISHED, cast::v1::PHASE_START, 100'000));
  ledger.apply("w-0", event(1, cast::v1::PHASE_FINISHED, cast::v1::PHASE_START, 300'000));
  ledger.apply("w-0", event(2, cast::v1::PHASE_FINISHED, cast::v1::PHASE_START, 200'000));
  ledger.apply("w-0", event(0, cast::v1::USER_DONE));
  ledger.apply("w-0", event(1, cast::v1::USER_FAILED, cast::v1::PHASE_MESSAGE));
  ledger.apply("w-0", event(1, cast::v1::USER_DONE));  // after its failure: still failed, counted once
  ledger.apply("w-0", event(3, cast::v1::USER_CANCELLED));
  counts = ledger.user_counts();
  CHECK(counts.connecting == 1);  // u-4
  CHECK(counts.started == 1);     // u-2
  CHECK(counts.done == 1);
  CHECK(counts.failed == 1);
  CHECK(counts.cancelled == 1);
  CHECK(ledger.startups().count() == 3);
  REQUIRE(ledger.startups().quantile(95).has_value());
  CHECK(*ledger.startups().quantile(95) == std::chrono::microseconds{300'000});

  ledger.mark_worker_lost("w-0");  // u-2 and u-4 lost: failed
  counts = ledger.user_counts();
  CHECK(counts.connecting == 0);
  CHECK(counts.started == 0);
  CHECK(counts.failed == 3);
  CHECK(ledger.users_finished() == 5);
}
