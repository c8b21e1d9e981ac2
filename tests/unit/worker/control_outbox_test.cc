#include <doctest/doctest.h>

#include "worker/control/event_outbox.h"

using cast::worker::EventOutbox;

namespace {

std::vector<std::uint64_t> seqs_of(const cast::worker::UnsentEvents& unsent) {
  cast::v1::EventBatch batch;
  unsent.copy_into(batch);
  std::vector<std::uint64_t> seqs;
  for (const auto& event : batch.events()) {
    seqs.push_back(event.seq());
  }
  return seqs;
}

std::shared_ptr<cast::v1::EventBatch> batch_of(int events, std::size_t payload_bytes = 0) {
  auto batch = std::make_shared<cast::v1::EventBatch>();
  for (int i = 0; i < events; ++i) {
    batch->add_events()->set_payload(std::string(payload_bytes, 'x'));
  }
  return batch;
}

}  // namespace

TEST_CASE("EventOutbox numbers events from 1 and keeps them until acknowledged") {
  EventOutbox outbox;
  for (int i = 0; i < 5; ++i) {
    CHECK(outbox.push(cast::v1::Event{}) == static_cast<std::uint64_t>(i + 1));
  }
  auto first = outbox.take_unsent(3, 1 << 20);
  CHECK(seqs_of(first) == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(outbox.unacknowledged() == 5);  // sent is not released

  auto rest = outbox.take_unsent(100, 1 << 20);
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

TEST_CASE("EventOutbox numbers a batch as one chunk of consecutive seqs") {
  EventOutbox outbox;
  CHECK(outbox.push(batch_of(4)) == 4);
  CHECK(outbox.push(batch_of(0)) == 4);  // an empty flush numbers nothing
  CHECK(outbox.push(batch_of(3)) == 7);
  CHECK(seqs_of(outbox.take_unsent(100, 1 << 20)) == std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7});
  CHECK(outbox.unacknowledged() == 7);
}

TEST_CASE("EventOutbox resends exactly what the controller lacks after a reconnect") {
  EventOutbox outbox;
  for (int i = 0; i < 10; ++i) {
    outbox.push(cast::v1::Event{});
  }
  auto lost_in_flight = outbox.take_unsent(100, 1 << 20);
  outbox.acknowledge(4);

  outbox.resend_after(6);  // the controller got 5 and 6 before the stream broke
  CHECK(seqs_of(outbox.take_unsent(100, 1 << 20)) == std::vector<std::uint64_t>{7, 8, 9, 10});
  CHECK(outbox.unacknowledged() == 4);
}

TEST_CASE("EventOutbox resends from the middle of a chunk without repeating what is held") {
  EventOutbox outbox;
  outbox.push(batch_of(5));  // seqs 1..5
  outbox.push(batch_of(5));  // seqs 6..10
  auto in_flight = outbox.take_unsent(100, 1 << 20);
  outbox.resend_after(7);  // the first chunk goes, the second is held partly
  CHECK(outbox.unacknowledged() == 3);
  CHECK(seqs_of(outbox.take_unsent(100, 1 << 20)) == std::vector<std::uint64_t>{8, 9, 10});
  // An ack inside a chunk keeps the chunk until all of it is held.
  outbox.acknowledge(9);
  CHECK(outbox.unacknowledged() == 1);
  outbox.resend_after(9);
  CHECK(seqs_of(outbox.take_unsent(100, 1 << 20)) == std::vector<std::uint64_t>{10});
}

TEST_CASE("EventOutbox batches by size but always moves at least one chunk") {
  EventOutbox outbox;
  for (int i = 0; i < 4; ++i) {
    outbox.push(batch_of(1, 1000));
  }
  CHECK(outbox.take_unsent(100, 2500).chunks.size() == 2);
  CHECK(outbox.take_unsent(100, 10).chunks.size() == 1);
  CHECK(outbox.take_unsent(1, 1 << 20).chunks.size() == 1);
  CHECK_FALSE(outbox.has_unsent());
}
