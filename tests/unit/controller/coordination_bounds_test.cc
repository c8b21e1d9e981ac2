#include <doctest/doctest.h>

#include "controller/coordination/message_bounds.h"

using namespace cast::controller;  // the code under test

using cast::controller::MessageBounds;
using cast::controller::MessageRate;
using cast::controller::out_of_bounds;

TEST_CASE("message bounds: a normal batch passes, oversized parts are named") {
  MessageBounds bounds;
  bounds.max_events_per_batch = 3;
  bounds.max_payload_bytes = 100;
  bounds.max_event_text_bytes = 50;
  cast::v1::WorkerMessage message;
  for (int i = 1; i <= 3; ++i) message.mutable_events()->add_events()->set_seq(static_cast<std::uint64_t>(i));
  CHECK_FALSE(out_of_bounds(message, bounds));

  message.mutable_events()->add_events()->set_seq(4);
  auto too_many = out_of_bounds(message, bounds);
  REQUIRE(too_many);
  CHECK(too_many->find("batch of 4 events") != std::string::npos);

  message.mutable_events()->mutable_events()->RemoveLast();
  message.mutable_events()->mutable_events(1)->set_payload(std::string(101, 'p'));
  CHECK(out_of_bounds(message, bounds)->find("seq 2 carries a 101-byte payload") != std::string::npos);
  message.mutable_events()->mutable_events(1)->clear_payload();
  message.mutable_events()->mutable_events(2)->set_error_message(std::string(51, 'e'));
  CHECK(out_of_bounds(message, bounds)->find("seq 3 has a 51-byte text field") != std::string::npos);
}

TEST_CASE("message bounds: heartbeat maps and whole-message size") {
  MessageBounds bounds;
  bounds.max_map_entries = 2;
  cast::v1::WorkerMessage beat;
  auto& phases = *beat.mutable_heartbeat()->mutable_users_by_phase();
  phases["token"] = 1;
  phases["connect"] = 2;
  CHECK_FALSE(out_of_bounds(beat, bounds));
  phases["start"] = 3;
  CHECK(out_of_bounds(beat, bounds)->find("users_by_phase has 3 entries") != std::string::npos);

  bounds.max_message_bytes = 64;
  cast::v1::WorkerMessage hello;
  hello.mutable_hello()->set_host(std::string(100, 'h'));
  CHECK(out_of_bounds(hello, bounds)->find("-byte message (limit 64)") != std::string::npos);
}

TEST_CASE("message rate: a burst is allowed, a flood beyond it is not, and the bucket refills") {
  MessageBounds bounds;
  bounds.messages_per_second = 10;
  bounds.burst_messages = 5;
  MessageRate rate(bounds);
  for (int i = 0; i < 5; ++i) CHECK(rate.admit(1'000'000));
  CHECK_FALSE(rate.admit(1'000'000));
  CHECK(rate.admit(1'100'000));  // 0.1 s later: one more token
  CHECK_FALSE(rate.admit(1'100'000));
}
