#include <doctest/doctest.h>

#include <chrono>
#include <set>
#include <stdexcept>
#include <string>

#include "common/identity/canary.h"
#include "controller/plan/population.h"
#include "controller/plan/population_index.h"

using namespace cast::controller;  // the code under test

namespace {

cast::controller::PopulationSpec spec_for(std::size_t users, std::size_t per_tenant = 1) {
  cast::controller::PopulationSpec spec;
  spec.run_id = "run-20260101-120000-abc123";
  spec.run_key = std::string(32, '\x42');
  spec.users = users;
  spec.users_per_tenant = per_tenant;
  return spec;
}

}  // namespace

TEST_CASE("run ids are dated, random and safe in keys and SQL") {
  using namespace std::chrono;
  auto when = sys_days{year{2026} / 3 / 4} + hours{5} + minutes{6} + seconds{7};
  std::string id = cast::controller::make_run_id(when);
  CHECK(id.starts_with("run-20260304-050607-"));
  CHECK(id.size() == std::string("run-20260304-050607-").size() + 6);
  CHECK(cast::controller::is_safe_run_id(id));
  CHECK(cast::controller::make_run_id(when) != id);

  CHECK_FALSE(cast::controller::is_safe_run_id(""));
  CHECK_FALSE(cast::controller::is_safe_run_id("run'; DROP TABLE agents;--"));
  CHECK_FALSE(cast::controller::is_safe_run_id("Run-1"));
  CHECK_FALSE(cast::controller::is_safe_run_id("run:1"));
  CHECK_FALSE(cast::controller::is_safe_run_id(std::string(65, 'a')));
  CHECK(cast::controller::make_run_key().size() == 32);
  CHECK(cast::controller::make_run_key() != cast::controller::make_run_key());
}

TEST_CASE("each planned user has ids, a profile, a canary and a request-id prefix") {
  auto spec = spec_for(50);
  auto users = cast::controller::plan_population(spec);
  REQUIRE(users.size() == 50);
  std::string run8 = cast::run_tag8(spec.run_id);
  const auto& user = users[42];
  CHECK(user.index == 42);
  CHECK(user.user_id == "u-000042");
  CHECK(user.tenant_id == "t-0042");
  CHECK(user.profile.email == "u-000042@" + run8 + ".cast.test");
  CHECK(user.profile.display_name == "Cast User 000042 (" + run8 + ")");
  CHECK(user.request_id_prefix == "u-000042-r");

  cast::CanaryAuthority authority(spec.run_id, spec.run_key);
  for (const auto& planned : users) {
    auto check = authority.verify(planned.canary);
    CHECK(check.verdict == cast::CanaryVerdict::valid);
    CHECK(check.owner_index == planned.index);
  }
}

TEST_CASE("users share tenants in consecutive groups when asked") {
  auto users = cast::controller::plan_population(spec_for(10, 3));
  CHECK(users[0].tenant_id == "t-0000");
  CHECK(users[2].tenant_id == "t-0000");
  CHECK(users[3].tenant_id == "t-0001");
  CHECK(users[9].tenant_id == "t-0003");
}

TEST_CASE("ids widen for big runs so that none is a substring of another") {
  auto users = cast::controller::plan_population(spec_for(1'000'001, 1));
  CHECK(users[0].user_id == "u-0000000");
  CHECK(users[1'000'000].user_id == "u-1000000");
  CHECK(users[100'000].user_id.size() == users[1'000'000].user_id.size());
  CHECK(users[1'000'000].tenant_id == "t-1000000");
  CHECK(users[7].profile.display_name.size() == users[999'999].profile.display_name.size());
}

TEST_CASE("every identifier of a population is unique") {
  auto users = cast::controller::plan_population(spec_for(2000, 4));
  std::set<std::string> seen;
  for (const auto& user : users) {
    for (const auto* value :
         {&user.user_id, &user.profile.email, &user.profile.display_name, &user.canary, &user.request_id_prefix}) {
      CHECK(seen.insert(*value).second);
    }
  }
}

TEST_CASE("planning rejects an unsafe run id, an empty key and empty tenants") {
  auto spec = spec_for(3);
  spec.run_id = "run 1";
  CHECK_THROWS_WITH_AS(cast::controller::plan_population(spec), doctest::Contains("run 1"), std::invalid_argument);
  spec = spec_for(3);
  spec.run_key.clear();
  CHECK_THROWS_AS(cast::controller::plan_population(spec), std::invalid_argument);
  CHECK_THROWS_WITH_AS(cast::controller::plan_population(spec_for(3, 0)), doctest::Contains("users_per_tenant"),
                       std::invalid_argument);
  CHECK(cast::controller::plan_population(spec_for(0)).empty());
}

TEST_CASE("the population index finds owners by user id, email, name and request id") {
  auto users = cast::controller::plan_population(spec_for(200));
  cast::controller::PopulationIndex index(users);
  CHECK(index.size() == 200);
  CHECK(index.by_user_id("u-000123") == 123);
  CHECK(index.by_email(users[77].profile.email) == 77);
  CHECK(index.by_display_name(users[5].profile.display_name) == 5);
  CHECK_FALSE(index.by_user_id("u-000200").has_value());
  CHECK_FALSE(index.by_email("someone@example.com").has_value());

  CHECK(index.owner_of_request_id("u-000042-r0") == 42);
  CHECK(index.owner_of_request_id("u-000042-r117") == 42);
  CHECK(index.owner_of_request_id(users[199].request_id_prefix + "3") == 199);
  CHECK_FALSE(index.owner_of_request_id("u-000042-r").has_value());
  CHECK_FALSE(index.owner_of_request_id("u-000042-rx1").has_value());
  CHECK_FALSE(index.owner_of_request_id("u-000999-r1").has_value());
  CHECK_FALSE(index.owner_of_request_id("12345").has_value());
  CHECK_FALSE(index.owner_of_request_id("").has_value());
}
