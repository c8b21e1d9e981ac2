#include <doctest/doctest.h>

#include <stdexcept>

#include "common/protocol/key_pattern.h"
#include "controller/validators/redis_key_census.h"

using namespace cast::controller;  // the code under test

using cast::KeyPattern;

TEST_CASE("validators: a bound agent key pattern reads user and agent back out of a key") {
  const auto pattern = KeyPattern{"{prefix}:{run_id}:user:{user_id}:agent:{agent_id}"}.bound("cast", "run-1");
  const auto parts = pattern.match("cast:run-1:user:u-000042:agent:agent-ab12");
  REQUIRE(parts.has_value());
  CHECK(parts->user_id == "u-000042");
  CHECK(parts->agent_id == "agent-ab12");
  CHECK(pattern.literal_head() == "cast:run-1:user:");

  CHECK_FALSE(pattern.match("cast:run-2:user:u-000042:agent:agent-ab12"));  // another run
  CHECK_FALSE(pattern.match("cast:run-1:user::agent:agent-ab12"));          // empty user
  CHECK_FALSE(pattern.match("cast:run-1:user:u-000042:agent:"));            // empty agent
  CHECK_FALSE(pattern.match("cast:run-1:user:u-000042:agents"));
  CHECK_FALSE(pattern.match("cast:run-1:live_context"));
  CHECK_FALSE(pattern.match("xcast:run-1:user:u-1:agent:a"));
}

TEST_CASE("validators: the agents set pattern needs its literal tail at the very end") {
  const auto pattern = KeyPattern{"{prefix}:{run_id}:user:{user_id}:agents"}.bound("p", "r");
  const auto parts = pattern.match("p:r:user:u-7:agents");
  REQUIRE(parts.has_value());
  CHECK(parts->user_id == "u-7");
  CHECK(parts->agent_id.empty());
  CHECK_FALSE(pattern.match("p:r:user:u-7:agents:extra"));
  CHECK_FALSE(pattern.match("p:r:user::agents"));
  CHECK_FALSE(pattern.match("p:r:user:u-7:agent:a-1"));
}

TEST_CASE("validators: other platforms' layouts, captures first or last") {
  const auto pattern = KeyPattern{"{user_id}/{run_id}/ctx/{agent_id}"}.bound("unused", "r9");
  const auto parts = pattern.match("alice/r9/ctx/a1");
  REQUIRE(parts.has_value());
  CHECK(parts->user_id == "alice");
  CHECK(parts->agent_id == "a1");
  CHECK_FALSE(pattern.match("alice/r8/ctx/a1"));
  CHECK(KeyPattern{"{prefix}-{run_id}"}.bound("a*", "b").match("a*-b").has_value());
}

TEST_CASE("validators: bad key patterns are refused with the reason") {
  CHECK_THROWS_WITH_AS(KeyPattern{"{prefix}:{tenant}"}, doctest::Contains("unknown placeholder {tenant}"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(KeyPattern{"{prefix:x"}, doctest::Contains("unclosed"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(KeyPattern{"{user_id}{agent_id}"}, doctest::Contains("nothing between"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(KeyPattern{"{user_id}:{user_id}"}, doctest::Contains("twice"), std::invalid_argument);
  CHECK(KeyPattern{"{prefix}:{run_id}:x"}.has("run_id"));
  CHECK_FALSE(KeyPattern{"{prefix}:{run_id}:x"}.has("user_id"));
}

TEST_CASE("validators: a key names a run only with the run id as a whole word") {
  CHECK(cast::controller::key_names_run("leak:run-1:ctx", "run-1"));
  CHECK(cast::controller::key_names_run("run-1", "run-1"));
  CHECK(cast::controller::key_names_run("ctx_run-1", "run-1"));
  CHECK_FALSE(cast::controller::key_names_run("cast:run-1x:ctx", "run-1"));
  CHECK_FALSE(cast::controller::key_names_run("cast:run-12:ctx", "run-1"));
  CHECK_FALSE(cast::controller::key_names_run("cast:xrun-1:ctx", "run-1"));
  CHECK(cast::controller::key_names_run("run-12:run-1", "run-1"));
  CHECK_FALSE(cast::controller::key_names_run("anything", ""));
}
