#include <doctest/doctest.h>

#include <algorithm>

#include "controller/plan/population.h"
#include "controller/validators/foreign_data.h"

using namespace cast::controller;  // the code under test

namespace {

const std::string run_id = "run-20260101-120000-abc123";
const std::string run_key(32, '\x17');

std::vector<cast::controller::PlannedUser> users_of(std::size_t count) {
  cast::controller::PopulationSpec spec;
  spec.run_id = run_id;
  spec.run_key = run_key;
  spec.users = count;
  return cast::controller::plan_population(spec);
}

}  // namespace

TEST_CASE("validators: the scanner keeps the owner's values and reports everyone else's") {
  const auto users = users_of(3);
  const cast::controller::ForeignDataScanner scanner{users, run_id, run_key};
  const auto own = users[0].canary + " " + users[0].profile.email + " " + users[0].profile.display_name;
  CHECK(scanner.foreign_in(own, 0).empty());

  const auto mixed = own + " {\"email\":\"" + users[2].profile.email + "\"} " + users[1].canary;
  const auto found = scanner.foreign_in(mixed, 0);
  REQUIRE(found.size() == 2);
  CHECK(found[0].owner_index == 2u);
  CHECK(found[0].what == "email");
  CHECK(mixed.substr(found[0].offset, found[0].length) == users[2].profile.email);
  CHECK(found[1].owner_index == 1u);
  CHECK(found[1].what == "canary");

  // Without an owner every user's value is foreign, once per user.
  CHECK(scanner.foreign_in(own + " " + users[0].canary, std::nullopt).size() == 1);
}

TEST_CASE("validators: forged and other runs' canaries are reported without an owner") {
  const auto users = users_of(2);
  const cast::controller::ForeignDataScanner scanner{users, run_id, run_key};
  auto forged = users[1].canary;
  forged.back() = forged.back() == '0' ? '1' : '0';
  const cast::CanaryAuthority other_run{"run-20260101-120000-zzz999", run_key};
  const auto found = scanner.foreign_in(forged + " and " + other_run.mint(1), 0);
  REQUIRE(found.size() == 2);
  CHECK_FALSE(found[0].owner_index.has_value());
  CHECK(found[0].what == "forged canary");
  CHECK(found[1].what == "canary of another run");
}
