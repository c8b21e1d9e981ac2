#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "reference/faults/fault_plan.h"

using cast::reference::Fault;
using cast::reference::FaultPlan;
using cast::reference::FaultSpecError;
using cast::reference::parse_fault_spec;

TEST_CASE("fault spec: a bare name takes the fault's default rate") {
  auto spec = parse_fault_spec("misroute");
  CHECK(spec.fault == Fault::misroute);
  CHECK(spec.rate == doctest::Approx(0.3));
  CHECK(parse_fault_spec("no_authz").rate == doctest::Approx(1.0));
  CHECK(parse_fault_spec("drop_connections").fault == Fault::drop_connections);
}

TEST_CASE("fault spec: NAME:RATE takes the rate, inclusive of 0 and 1") {
  CHECK(parse_fault_spec("misroute:1").rate == doctest::Approx(1.0));
  CHECK(parse_fault_spec("wrong_owner_row:0.25").rate == doctest::Approx(0.25));
  CHECK(parse_fault_spec("slow_start:0").rate == doctest::Approx(0.0));
}

TEST_CASE("fault spec: every catalogued name parses back to its fault") {
  std::set<std::string_view> names;
  for (const auto& info : cast::reference::fault_catalogue()) {
    CAPTURE(info.name);
    CHECK(parse_fault_spec(std::string(info.name)).fault == info.fault);
    CHECK(cast::reference::to_string(info.fault) == info.name);
    CHECK(info.default_rate > 0);
    CHECK(info.default_rate <= 1);
    names.insert(info.name);
  }
  CHECK(names.size() == 19);
  CHECK(names.size() == cast::reference::kFaultCount);  // every name distinct
}

TEST_CASE("fault spec: unknown names and bad rates are errors naming the problem") {
  CHECK_THROWS_WITH_AS(parse_fault_spec("bogus"), doctest::Contains("unknown fault 'bogus'"), FaultSpecError);
  CHECK_THROWS_AS(parse_fault_spec(""), FaultSpecError);
  CHECK_THROWS_AS(parse_fault_spec("Misroute"), FaultSpecError);
  for (const char* text : {"misroute:", "misroute:1.5", "misroute:-0.1", "misroute:abc", "misroute:0.5x",
                           "misroute:nan", "misroute:inf"}) {
    CAPTURE(text);
    CHECK_THROWS_WITH_AS(parse_fault_spec(text), doctest::Contains("bad rate"), FaultSpecError);
  }
}

TEST_CASE("fault help documents every fault with its default rate") {
  auto help = cast::reference::fault_help();
  for (const auto& info : cast::reference::fault_catalogue()) {
    CHECK(help.find(std::string(info.name) + " (default rate") != std::string::npos);
  }
}

TEST_CASE("fault plan: off faults never strike, rate 1 always, rate 0 never") {
  FaultPlan plan({parse_fault_spec("misroute:1"), parse_fault_spec("slow_start:0")}, 7);
  CHECK(plan.enabled(Fault::misroute));
  CHECK(plan.enabled(Fault::slow_start));
  CHECK_FALSE(plan.enabled(Fault::no_authz));
  for (int i = 0; i < 200; ++i) {
    CHECK(plan.strikes(Fault::misroute));
    CHECK_FALSE(plan.strikes(Fault::slow_start));
    CHECK_FALSE(plan.strikes(Fault::no_authz));
  }
  CHECK(plan.describe() == "misroute:1.00 slow_start:0.00");
  CHECK(FaultPlan().describe() == "none");
}

TEST_CASE("fault plan: a share strikes about that share, the same way for the same seed") {
  auto run = [](std::uint64_t seed) {
    FaultPlan plan({parse_fault_spec("misroute:0.3")}, seed);
    std::vector<bool> strikes;
    for (int i = 0; i < 2000; ++i) {
      strikes.push_back(plan.strikes(Fault::misroute));
    }
    return strikes;
  };
  auto first = run(42);
  CHECK(first == run(42));
  CHECK(first != run(43));
  auto hits = std::count(first.begin(), first.end(), true);
  CHECK(hits > 450);
  CHECK(hits < 750);
}

TEST_CASE("fault plan: uniform stays within its bounds") {
  FaultPlan plan({}, 1);
  std::set<std::int64_t> seen;
  for (int i = 0; i < 500; ++i) {
    auto value = plan.uniform(4000, 4003);
    CHECK(value >= 4000);
    CHECK(value <= 4003);
    seen.insert(value);
  }
  CHECK(seen.size() == 4);
}
