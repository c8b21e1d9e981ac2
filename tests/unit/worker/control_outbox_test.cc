#include <doctest/doctest.h>

#include "worker/control/event_outbox.h"

using cast::worker::EventOutbox;

namespace {

std::vector<std::uint64_t> seqs_of(const cast::v1::EventBatch& batch) {
  std::vector<std::uint64_t> seqs;
  for (const auto& event : batch.events()) {
    seqs.push_back(event.seq());
  }
  return seqs;
}

}  // namespace

TEST_CASE("EventOutbox numbers events from 1 and keeps them until acknowledged") {
  EventOutbox outbox;
  for (int i = 0; i < 5; ++i) {
    CHECK(outbox.push(cast::v1::Event{}) == static_cast<std::uint64_t>(i + 1));
  }
  cast::v1::EventBatch batch;
  CHECK(outbox.take_unsent(batch, 3, 1 << 20) == 3);
  CHECK(seqs_of(batch) == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(outbox.unacknowledged() == 5);  // sent is not released

  cast::v1::EventBatch rest;
  CHECK(outbox.take_unsent(rest, 100, 1 << 20) == 2);
  CHECK(seqs_of(rest) == std::vector<std::uint64_t>{4, 5});
  CHECK_FALSE(outbox.has_unsent());

  outbox.acknowledge(3);
  CHECK(outbox.unacknowledged() == 2);
  CHECK(outbox.acknowledged() == 3);
  outbox.acknowledge(2);  // an older ack changes nothing
  CHECK(outbox.acknowledged() == 3);
  outbox.acknowledge(99);  // nor can an ack release what does not exist
  CHECK(outbox.acknowledged() == 5);
  CHECK(outbox.unacknowledged() == 0);
}

TEST_CASE("EventOutbox resends exactly what the controller lacks after a reconnect") {
  EventOutbox outbox;
  for (int i = 0; i < 10; ++i) {
    outbox.push(cast::v1::Event{});
  }
  cast::v1::EventBatch lost_in_flight;
  outbox.take_unsent(lost_in_flight, 100, 1 << 20);
  outbox.acknowledge(4);

  outbox.resend_after(6);  // the controller got 5 and 6 before the stream broke
  cast::v1::EventBatch resent;
  outbox.take_unsent(resent, 100, 1 << 20);
  CHECK(seqs_of(resent) == std::vector<std::uint64_t>{7, 8, 9, 10});
  CHECK(outbox.unacknowledged() == 4);
}

TEST_CASE("EventOutbox batches by size but always moves at least one event") {
  EventOutbox outbox;
  cast::v1::Event big;
  big.set_payload(std::string(1000, 'x'));
  for (int i = 0; i < 4; ++i) {
    outbox.push(big);
  }
  cast::v1::EventBatch batch;
  CHECK(outbox.take_unsent(batch, 100, 2500) == 2);
  cast::v1::EventBatch tiny;
  CHECK(outbox.take_unsent(tiny, 100, 10) == 1);
}
