#include <doctest/doctest.h>

#include "cast_control.pb.h"
#include "controller/run/event_ledger.h"

using namespace cast::controller;  // the code under test

namespace {

cast::v1::Event event(cast::v1::EventKind kind, cast::v1::Phase phase, std::int64_t offset_us,
                      std::int64_t duration_us) {
  cast::v1::Event e;
  e.set_user_index(0);
  e.set_kind(kind);
  e.set_phase(phase);
  e.set_offset_us(offset_us);
  e.set_duration_us(duration_us);
  return e;
}

}  // namespace

TEST_CASE("event ledger: each user keeps when it began, connected, started its agent and finished") {
  cast::controller::EventLedger ledger{{"u-0"}};
  ledger.assign("w-0", {0});
  ledger.apply("w-0", event(cast::v1::PHASE_FINISHED, cast::v1::PHASE_TOKEN, 40'000, 30'000));
  ledger.apply("w-0", event(cast::v1::PHASE_FINISHED, cast::v1::PHASE_CONNECT, 60'000, 20'000));
  ledger.apply("w-0", event(cast::v1::PHASE_FINISHED, cast::v1::PHASE_START, 250'000, 190'000));
  const auto& user = ledger.record().users[0];
  CHECK(user.began_at_us == 10'000);
  CHECK(user.connected_at_us == 60'000);
  CHECK(user.agent_started_at_us == 250'000);
  CHECK_FALSE(user.finished_at_us.has_value());
  ledger.apply("w-0", event(cast::v1::USER_DONE, cast::v1::PHASE_CLOSE, 400'000, 0));
  CHECK(ledger.record().users[0].finished_at_us == 400'000);
}

TEST_CASE("event ledger: a user lost with its worker has no finishing time") {
  cast::controller::EventLedger ledger{{"u-0"}};
  ledger.assign("w-0", {0});
  ledger.apply("w-0", event(cast::v1::PHASE_FINISHED, cast::v1::PHASE_TOKEN, 40'000, 30'000));
  ledger.mark_worker_lost("w-0");
  CHECK(ledger.record().users[0].lost);
  CHECK_FALSE(ledger.record().users[0].finished_at_us.has_value());
}
