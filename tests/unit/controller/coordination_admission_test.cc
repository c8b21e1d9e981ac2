#include <doctest/doctest.h>

#include "controller/coordination/admission.h"

using namespace cast::controller;  // the code under test

using cast::controller::AdmissionRules;
using cast::controller::RefusalKind;
using cast::controller::refuse_hello;
using cast::controller::WorkerLedger;

namespace {

cast::v1::Hello hello_from(const std::string& id, std::uint32_t pid = 100, std::uint32_t version = 1) {
  cast::v1::Hello hello;
  hello.set_worker_id(id);
  hello.set_host("host-a");
  hello.set_pid(pid);
  hello.set_protocol_version(version);
  return hello;
}

AdmissionRules two_workers() {
  AdmissionRules rules;
  rules.expected_workers = 2;
  rules.protocol_version = 1;
  return rules;
}

}  // namespace

TEST_CASE("admission: workers beyond the expected count are refused, the expected ones may reconnect") {
  WorkerLedger ledger;
  auto rules = two_workers();
  CHECK_FALSE(refuse_hello(ledger, hello_from("w1"), rules, false));
  ledger.attach(hello_from("w1"));
  ledger.attach(hello_from("w2"));
  auto third = refuse_hello(ledger, hello_from("w3"), rules, false);
  REQUIRE(third);
  CHECK(third->kind == RefusalKind::beyond_expected);
  CHECK(third->reason.find("expects 2 workers") != std::string::npos);
  CHECK_FALSE(refuse_hello(ledger, hello_from("w2"), rules, false));  // the same process again: a reconnect
}

TEST_CASE("admission: a new worker after the go is late, a known one is not") {
  WorkerLedger ledger;
  AdmissionRules rules;  // any number of workers
  ledger.attach(hello_from("w1"));
  auto late = refuse_hello(ledger, hello_from("w9"), rules, true);
  REQUIRE(late);
  CHECK(late->kind == RefusalKind::late);
  CHECK_FALSE(refuse_hello(ledger, hello_from("w1"), rules, true));
}

TEST_CASE("admission: an id already taken by another process is refused, naming the holder") {
  WorkerLedger ledger;
  ledger.attach(hello_from("w1", 100));
  auto duplicate = refuse_hello(ledger, hello_from("w1", 200), two_workers(), false);
  REQUIRE(duplicate);
  CHECK(duplicate->kind == RefusalKind::duplicate_id);
  CHECK(duplicate->reason.find("pid 100 on host host-a") != std::string::npos);
}

TEST_CASE("admission: another protocol version, a malformed id and oversized fields are refused") {
  WorkerLedger ledger;
  auto rules = two_workers();
  auto other = refuse_hello(ledger, hello_from("w1", 100, 7), rules, false);
  REQUIRE(other);
  CHECK(other->kind == RefusalKind::other_version);
  CHECK(other->reason.find("version 7") != std::string::npos);
  CHECK(refuse_hello(ledger, hello_from("w 1"), rules, false)->kind == RefusalKind::bad_hello);
  CHECK(refuse_hello(ledger, hello_from(std::string(500, 'x')), rules, false)->kind == RefusalKind::bad_hello);
  auto long_host = hello_from("w1");
  long_host.set_host(std::string(10'000, 'h'));
  CHECK(refuse_hello(ledger, long_host, rules, false)->kind == RefusalKind::bad_hello);
  CHECK(ledger.size() == 0);
}

TEST_CASE("admission: a worker given up may not rejoin") {
  WorkerLedger ledger;
  ledger.attach(hello_from("w1"));
  CHECK(ledger.give_up("w1", WorkerLedger::Clock::now(), "silent for 1600 ms"));
  CHECK_FALSE(ledger.give_up("w1", WorkerLedger::Clock::now(), "again"));
  auto refusal = refuse_hello(ledger, hello_from("w1"), two_workers(), true);
  REQUIRE(refusal);
  CHECK(refusal->kind == RefusalKind::given_up);
  CHECK(refusal->reason.find("silent for 1600 ms") != std::string::npos);
}
