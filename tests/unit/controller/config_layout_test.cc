#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include "controller/config/persistence_layout.h"
#include "controller/config/run_config.h"
#include "controller/validators/store_access.h"

using namespace cast::controller;  // the code under test

namespace {

cast::controller::PersistenceLayout layout_from(const std::string& text) {
  const YAML::Node root = YAML::Load(text);
  return cast::controller::read_persistence_layout(root["persistence"], "layout.yaml");
}

}  // namespace

TEST_CASE("validators: the default layout is protocol.md's") {
  const cast::controller::PersistenceLayout layout;
  CHECK(layout.redis.agent_key == "{prefix}:{run_id}:user:{user_id}:agent:{agent_id}");
  CHECK(layout.redis.user_agents_key == "{prefix}:{run_id}:user:{user_id}:agents");
  CHECK(layout.postgres.agents_query.find("FROM agents WHERE run_id = $1") != std::string::npos);
  CHECK(layout.clickhouse.cleanup_tables == std::vector<std::string>{"agent_startup_metrics"});
  CHECK_NOTHROW(cast::controller::check_persistence_layout(layout, "defaults"));
}

TEST_CASE("validators: a YAML layout overrides only what it names") {
  const auto layout = layout_from(R"(
persistence:
  redis:
    agent_key: "{prefix}/{run_id}/u/{user_id}/a/{agent_id}"
    user_agents_key: "{prefix}/{run_id}/u/{user_id}/all"
    run_keys: "{prefix}/{run_id}/"
    count_keys_outside: false
  clickhouse:
    cleanup_tables: [startup, other_db.events]
)");
  CHECK(layout.redis.agent_key == "{prefix}/{run_id}/u/{user_id}/a/{agent_id}");
  CHECK_FALSE(layout.redis.count_keys_outside);
  CHECK(layout.clickhouse.cleanup_tables == std::vector<std::string>{"startup", "other_db.events"});
  CHECK(layout.postgres.agents_query == cast::controller::PersistenceLayout{}.postgres.agents_query);
}

TEST_CASE("validators: layout mistakes name the file, line, column and key") {
  CHECK_THROWS_WITH_AS(layout_from("persistence:\n  redis:\n    agent_kee: x\n"),
                       "layout.yaml:3:5: unknown key 'persistence.redis.agent_kee'", cast::controller::ConfigError);
  CHECK_THROWS_WITH_AS(layout_from("persistence:\n  mongo: {}\n"), "layout.yaml:2:3: unknown key 'persistence.mongo'",
                       cast::controller::ConfigError);
  CHECK_THROWS_WITH_AS(layout_from("persistence:\n  redis:\n    agent_key: \"{prefix}:{run_id}:{user_id}\"\n"),
                       doctest::Contains("must contain {agent_id}"), cast::controller::ConfigError);
  CHECK_THROWS_WITH_AS(layout_from("persistence:\n  redis:\n    agent_key: \"other:{run_id}:{user_id}:{agent_id}\"\n"),
                       doctest::Contains("does not start with run_keys"), cast::controller::ConfigError);
  CHECK_THROWS_WITH_AS(layout_from("persistence:\n  postgres:\n    agents_query: SELECT * FROM agents\n"),
                       doctest::Contains("must contain $1"), cast::controller::ConfigError);
  CHECK_THROWS_WITH_AS(layout_from("persistence:\n  clickhouse:\n    cleanup_tables: x\n"),
                       doctest::Contains("must be a list"), cast::controller::ConfigError);
  CHECK_THROWS_WITH_AS(layout_from("persistence:\n  clickhouse:\n    cleanup_tables: [\"t; DROP\"]\n"),
                       doctest::Contains("not a table name"), cast::controller::ConfigError);
  CHECK_THROWS_WITH_AS(layout_from("persistence:\n  redis:\n    count_keys_outside: maybe\n"),
                       doctest::Contains("true or false"), cast::controller::ConfigError);
}

TEST_CASE("validators: reading a layout leaves the YAML untouched") {
  const YAML::Node root = YAML::Load("persistence:\n  redis: {}\n");
  cast::controller::read_persistence_layout(root["persistence"]);
  CHECK(YAML::Dump(root) == "persistence:\n  redis: {}");
}

TEST_CASE("validators: store URLs are shown without passwords, literals escaped") {
  CHECK(cast::controller::url_without_password("postgresql://cast:s3cret@127.0.0.1:5432/cast") ==
        "postgresql://cast:***@127.0.0.1:5432/cast");
  CHECK(cast::controller::url_without_password("http://127.0.0.1:8123/?user=a&password=s3cret&database=cast") ==
        "http://127.0.0.1:8123/?user=a&password=***&database=cast");
  CHECK(cast::controller::url_without_password("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0");
  const cast::controller::StoreError error{"redis", "redis://:s3cret@127.0.0.1:1/0", "AUTH", "bad password s3cret"};
  CHECK(std::string(error.what()) == "redis at redis://:***@127.0.0.1:1/0: AUTH: bad password ***");
  CHECK(cast::controller::clickhouse_literal("it's a \\ test") == "'it\\'s a \\\\ test'");
  CHECK(cast::controller::redis_glob_escape("a*b?[c]") == "a\\*b\\?\\[c\\]");
}
