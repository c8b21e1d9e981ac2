#include <doctest/doctest.h>

#include "controller/coordination/worker_ledger.h"

using namespace cast::controller;  // the code under test

using cast::controller::WorkerLedger;
using cast::controller::WorkerState;
using namespace std::chrono_literals;

namespace {

cast::v1::Hello hello_from(const std::string& worker_id) {
  cast::v1::Hello hello;
  hello.set_worker_id(worker_id);
  hello.set_capacity(10);
  hello.set_auth_token("secret");
  return hello;
}

cast::v1::EventBatch batch_of(std::initializer_list<std::uint64_t> seqs) {
  cast::v1::EventBatch batch;
  for (auto seq : seqs) {
    batch.add_events()->set_seq(seq);
  }
  return batch;
}

}  // namespace

TEST_CASE("WorkerLedger walks a worker from connected to done and forgets its token") {
  WorkerLedger ledger;
  auto attachment = ledger.attach(hello_from("w1"));
  CHECK_FALSE(attachment.reconnect);
  CHECK(attachment.resume_after == 0);
  CHECK(ledger.find("w1")->hello.auth_token().empty());

  cast::v1::Assignment none;
  CHECK(ledger.assign("w1", none));
  CHECK_FALSE(ledger.all_ready());
  cast::v1::Ready ready;
  ready.set_users_prepared(10);
  CHECK(ledger.mark_ready("w1", attachment.generation, ready));
  CHECK(ledger.all_ready());
  ledger.mark_running();
  CHECK(ledger.find("w1")->state == WorkerState::running);
  CHECK_FALSE(ledger.all_finished(WorkerLedger::Clock::now(), 0ms));
  CHECK(ledger.mark_done("w1", attachment.generation, cast::v1::Done{}));
  CHECK(ledger.all_finished(WorkerLedger::Clock::now(), 0ms));
  // A stream closing after Done is the normal end, not a loss.
  CHECK_FALSE(ledger.detach("w1", attachment.generation, WorkerLedger::Clock::now()));
  CHECK(ledger.find("w1")->state == WorkerState::done);
}

TEST_CASE("WorkerLedger keeps a lost worker's events and restores it on reconnect") {
  WorkerLedger ledger;
  auto first = ledger.attach(hello_from("w1"));
  cast::v1::Assignment none;
  ledger.assign("w1", none);
  auto admitted = ledger.admit("w1", first.generation, batch_of({1, 2, 3}));
  REQUIRE(admitted);
  CHECK(admitted->events.size() == 3);
  CHECK(admitted->ack_up_to == 3);

  auto now = WorkerLedger::Clock::now();
  CHECK(ledger.detach("w1", first.generation, now));
  CHECK(ledger.find("w1")->state == WorkerState::lost);
  CHECK_FALSE(ledger.all_finished(now, 1000ms));  // still within the grace
  CHECK(ledger.all_finished(now + 2s, 1000ms));

  auto second = ledger.attach(hello_from("w1"));
  CHECK(second.reconnect);
  CHECK(second.resume_after == 3);
  CHECK(ledger.find("w1")->state == WorkerState::assigned);
  CHECK(ledger.find("w1")->reconnects == 1);

  auto resent = ledger.admit("w1", second.generation, batch_of({3, 4}));
  REQUIRE(resent);
  REQUIRE(resent->events.size() == 1);
  CHECK(resent->events[0].seq() == 4);
  CHECK(ledger.find("w1")->sequence.duplicates() == 1);
}

TEST_CASE("WorkerLedger ignores a superseded stream") {
  WorkerLedger ledger;
  auto old_stream = ledger.attach(hello_from("w1"));
  auto new_stream = ledger.attach(hello_from("w1"));
  CHECK_FALSE(ledger.admit("w1", old_stream.generation, batch_of({1})));
  CHECK_FALSE(ledger.detach("w1", old_stream.generation, WorkerLedger::Clock::now()));
  CHECK(ledger.find("w1")->state == WorkerState::connected);
  CHECK(ledger.admit("w1", new_stream.generation, batch_of({1})));
  CHECK_FALSE(ledger.admit("nobody", new_stream.generation, batch_of({1})));
}

TEST_CASE("WorkerLedger moves a worker lost while ready to running when go is sent") {
  WorkerLedger ledger;
  auto attachment = ledger.attach(hello_from("w1"));
  cast::v1::Assignment none;
  ledger.assign("w1", none);
  ledger.mark_ready("w1", attachment.generation, cast::v1::Ready{});
  ledger.detach("w1", attachment.generation, WorkerLedger::Clock::now());
  ledger.mark_running();
  ledger.attach(hello_from("w1"));
  CHECK(ledger.find("w1")->state == WorkerState::running);
  CHECK(cast::controller::to_string(WorkerState::running) == "running");
}

TEST_CASE("WorkerLedger: probe rounds after Done, a resent Done, and a worker lost mid-round") {
  WorkerLedger ledger;
  auto first = ledger.attach(hello_from("w1"));
  CHECK(ledger.mark_done("w1", first.generation, cast::v1::Done{}));
  auto now = WorkerLedger::Clock::now();
  // Done and leaving is not a loss.
  CHECK_FALSE(ledger.detach("w1", first.generation, now));
  CHECK(ledger.find("w1")->state == WorkerState::done);
  auto second = ledger.attach(hello_from("w1"));

  cast::v1::ProbePlan plan;
  plan.set_round(1);
  CHECK(ledger.plan_probes("w1", plan));
  CHECK(ledger.find("w1")->state == WorkerState::probing);
  CHECK(ledger.all_finished(now, 1s));
  CHECK(ledger.mark_done("w1", second.generation, cast::v1::Done{}));
  CHECK(ledger.find("w1")->state == WorkerState::probing);
  CHECK_FALSE(ledger.all_probed(1, now, 1s));
  cast::v1::ProbeDone answered;
  answered.set_round(1);
  CHECK_FALSE(ledger.mark_probe_done("w1", first.generation, answered));  // a stale stream
  CHECK(ledger.mark_probe_done("w1", second.generation, answered));
  CHECK(ledger.find("w1")->state == WorkerState::done);
  CHECK(ledger.all_probed(1, now, 1s));
  CHECK(ledger.plan_probes("w1", plan));  // round 1 again: already answered
  CHECK(ledger.find("w1")->state == WorkerState::done);

  plan.set_round(2);
  CHECK(ledger.plan_probes("w1", plan));
  CHECK(ledger.detach("w1", second.generation, now));
  CHECK(ledger.find("w1")->state == WorkerState::lost);
  CHECK_FALSE(ledger.all_probed(2, now, 1s));
  CHECK(ledger.all_probed(2, now + 2s, 1s));
  CHECK(ledger.attach(hello_from("w1")).reconnect);
  CHECK(ledger.find("w1")->state == WorkerState::probing);
}

TEST_CASE("WorkerLedger: a worker away past the grace is overdue, then given up for good") {
  WorkerLedger ledger;
  auto first = ledger.attach(hello_from("w1"));
  ledger.attach(hello_from("w2"));
  auto now = WorkerLedger::Clock::now();
  CHECK(ledger.detach("w1", first.generation, now));
  CHECK(ledger.overdue(now, 1s).empty());
  REQUIRE(ledger.overdue(now + 2s, 1s) == std::vector<std::string>{"w1"});
  CHECK(ledger.give_up("w1", now + 2s, "stream closed and not back within 1000 ms"));
  CHECK(ledger.overdue(now + 3s, 1s).empty());
  CHECK(ledger.find("w1")->given_up);
  CHECK(ledger.find("w1")->state_before_loss == WorkerState::connected);
  // Given up before it was ready, it does not hold the others back.
  auto w2 = ledger.find("w2")->generation;
  cast::v1::Assignment assignment;
  ledger.assign("w2", assignment);
  ledger.mark_ready("w2", w2, cast::v1::Ready{});
  CHECK(ledger.all_ready());
}

TEST_CASE("WorkerLedger: users taken over before the go are a further part, owing a new Ready") {
  WorkerLedger ledger;
  auto attachment = ledger.attach(hello_from("w1"));
  cast::v1::Assignment first;
  first.add_users()->set_index(0);
  CHECK(ledger.assign("w1", first));
  CHECK(first.part() == 0);
  cast::v1::Ready ready;
  ready.set_users_prepared(1);
  ready.set_parts_prepared(1);
  CHECK(ledger.mark_ready("w1", attachment.generation, ready));

  cast::v1::Assignment more;
  more.add_users()->set_index(7);
  CHECK(ledger.assign("w1", more));
  CHECK(more.part() == 1);
  CHECK(ledger.find("w1")->state == WorkerState::assigned);
  CHECK_FALSE(ledger.all_ready());
  CHECK_FALSE(ledger.mark_ready("w1", attachment.generation, ready));  // the Ready of part 0, late
  ready.set_users_prepared(2);
  ready.set_parts_prepared(2);
  CHECK(ledger.mark_ready("w1", attachment.generation, ready));
  CHECK(ledger.find("w1")->users_prepared == 2);
  CHECK(ledger.all_ready());
}

TEST_CASE("WorkerLedger: Pongs feed the worker's clock estimate; a stale stream's do not") {
  WorkerLedger ledger;
  auto old_stream = ledger.attach(hello_from("w1"));
  auto new_stream = ledger.attach(hello_from("w1"));
  cast::v1::Pong pong;
  pong.set_controller_time_us(1'000);
  pong.set_worker_time_us(51'000);
  CHECK_FALSE(ledger.record_pong("w1", old_stream.generation, pong, 1'100));
  CHECK(ledger.record_pong("w1", new_stream.generation, pong, 1'100));
  CHECK(ledger.find("w1")->clock.offset_us() == 51'000 - 1'050);
  CHECK(ledger.find("w1")->clock.best_round_trip_us() == 100);
}
