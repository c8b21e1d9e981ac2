#include <doctest/doctest.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <map>

#include "controller/config/config_loader.h"

using namespace cast::controller;  // the code under test

namespace {

struct FakeEnvironment {
  std::map<std::string, std::string> vars;
  cast::controller::EnvironmentLookup lookup() const {
    return [this](const char* name) -> const char* {
      auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  }
};

cast::controller::GivenFlags parse_flags(std::vector<std::string> args) {
  CLI::App app;
  cast::controller::GivenFlags given;
  cast::controller::add_run_flags(app, given);
  std::reverse(args.begin(), args.end());
  app.parse(args);
  return given;
}

cast::controller::RunConfig from_yaml(const std::string& text) {
  cast::controller::RunConfig config;
  cast::controller::apply_yaml_text(config, text, "test.yaml");
  return config;
}

}  // namespace

TEST_CASE("defaults are the design's criteria") {
  cast::controller::RunConfig c;
  CHECK(c.users == 100);
  CHECK(c.p95_limit_s == 5.0);
  CHECK(c.p99_limit_s == 8.0);
  CHECK(c.min_success_rate == 0.95);
  CHECK(c.isolation_strict);
  CHECK(c.uses_embedded_platform());
}

TEST_CASE("YAML nested keys set their fields") {
  auto c = from_yaml(
      "users: 42\nthresholds:\n  p95_s: 2.5\n  min_success_rate: 0.9\ntimeouts:\n  run_s: 60\n"
      "reference:\n  faults: [misroute, 'slow_start:0.5']\n");
  CHECK(c.users == 42);
  CHECK(c.p95_limit_s == 2.5);
  CHECK(c.min_success_rate == 0.9);
  CHECK(c.run_timeout == std::chrono::seconds{60});
  CHECK(c.reference_faults == std::vector<std::string>{"misroute", "slow_start:0.5"});
}

TEST_CASE("precedence: flags over environment over YAML over defaults") {
  FakeEnvironment env{{{"CONCURRENT_TEST_USERS", "30"}, {"MIN_SUCCESS_RATE", "0.8"}}};
  cast::controller::RunConfig c;
  cast::controller::apply_yaml_text(c, "users: 10\nthresholds: {min_success_rate: 0.5, p99_s: 7}\n", "test.yaml");
  cast::controller::apply_environment(c, env.lookup());
  CHECK(c.users == 30);
  CHECK(c.min_success_rate == 0.8);
  CHECK(c.p99_limit_s == 7);
  cast::controller::apply_flags(c, parse_flags({"--users", "50"}));
  CHECK(c.users == 50);
  CHECK(c.min_success_rate == 0.8);
}

TEST_CASE("the original suite's environment variables keep their meaning") {
  FakeEnvironment env{{{"CONCURRENT_TEST_TIMEOUT", "90"},
                       {"AGENT_STARTUP_TIMEOUT", "12.5"},
                       {"ISOLATION_VALIDATION_STRICT", "false"},
                       {"MAX_AGENT_STARTUP_TIME", "3"},
                       {"MAX_TOTAL_TEST_TIME", "120"},
                       {"TEST_DATABASE_URL", "postgresql://a@127.0.0.1:1/x"},
                       {"E2E_POSTGRES_URL", "postgresql://b@127.0.0.1:2/y"},
                       {"TEST_REDIS_URL", "redis://127.0.0.1:3"}}};
  auto c = cast::controller::load_run_config("", env.lookup(), {});
  CHECK(c.run_timeout == std::chrono::seconds{90});
  CHECK(c.agent_startup_timeout == std::chrono::milliseconds{12'500});
  CHECK_FALSE(c.isolation_strict);
  CHECK(c.max_agent_startup_s == 3);
  CHECK(c.max_total_test_time_s == 120);
  CHECK(c.postgres_url == "postgresql://b@127.0.0.1:2/y");  // E2E_ wins over TEST_
  CHECK(c.redis_url == "redis://127.0.0.1:3");
}

TEST_CASE("--quick means 20 users unless --users says otherwise") {
  cast::controller::RunConfig c;
  cast::controller::apply_flags(c, parse_flags({"--quick"}));
  CHECK(c.users == 20);
  cast::controller::RunConfig d;
  cast::controller::apply_flags(d, parse_flags({"--users", "7", "--quick"}));
  CHECK(d.users == 7);
}

TEST_CASE("flags replace YAML lists instead of adding to them") {
  auto c = from_yaml("reference:\n  faults: [misroute]\n");
  cast::controller::apply_flags(c, parse_flags({"--reference-fault", "no_authz", "--reference-fault", "broadcast"}));
  CHECK(c.reference_faults == std::vector<std::string>{"no_authz", "broadcast"});
}

TEST_CASE("an unknown YAML key is an error naming the key, file and line") {
  CHECK_THROWS_WITH_AS(from_yaml("users: 5\nthresholds:\n  p95: 3\n"), "test.yaml:3:3: unknown key 'thresholds.p95'",
                       cast::controller::ConfigError);
  CHECK_THROWS_WITH_AS(from_yaml("userz: 5\n"), "test.yaml:1:1: unknown key 'userz'", cast::controller::ConfigError);
}

TEST_CASE("a bad value is an error naming the key and where it came from") {
  CHECK_THROWS_WITH_AS(from_yaml("\nusers: many\n"), doctest::Contains("test.yaml:2:1: bad value for 'users'"),
                       cast::controller::ConfigError);
  CHECK_THROWS_WITH_AS(from_yaml("thresholds: {min_success_rate: 1.5}\n"), doctest::Contains("min_success_rate"),
                       cast::controller::ConfigError);
  CHECK_THROWS_WITH_AS(from_yaml("reference: {faults: misroute}\n"), doctest::Contains("must be a list"),
                       cast::controller::ConfigError);
  CHECK_THROWS_AS(from_yaml("users: [1, 2\n"), cast::controller::ConfigError);
  FakeEnvironment env{{{"CONCURRENT_TEST_USERS", "-3"}}};
  CHECK_THROWS_WITH_AS(cast::controller::load_run_config("", env.lookup(), {}),
                       doctest::Contains("environment variable CONCURRENT_TEST_USERS"), cast::controller::ConfigError);
  CHECK_THROWS_WITH_AS(cast::controller::load_run_config("", FakeEnvironment{}.lookup(), parse_flags({"--users", "0"})),
                       doctest::Contains("--users"), cast::controller::ConfigError);
  CHECK_THROWS_WITH_AS(cast::controller::load_run_config("/nonexistent/cast.yaml", FakeEnvironment{}.lookup(), {}),
                       doctest::Contains("/nonexistent/cast.yaml"), cast::controller::ConfigError);
}

TEST_CASE("targets are all or nothing, and faults only go with the embedded platform") {
  FakeEnvironment env{{{"E2E_BACKEND_URL", "http://127.0.0.1:8000"}}};
  CHECK_THROWS_WITH_AS(cast::controller::load_run_config("", env.lookup(), {}), doctest::Contains("auth_url"),
                       cast::controller::ConfigError);
  FakeEnvironment full{{{"E2E_BACKEND_URL", "http://127.0.0.1:8000"},
                        {"E2E_AUTH_SERVICE_URL", "http://127.0.0.1:8001"},
                        {"E2E_WEBSOCKET_URL", "ws://127.0.0.1:8000/ws"}}};
  CHECK_FALSE(cast::controller::load_run_config("", full.lookup(), {}).uses_embedded_platform());
  CHECK_THROWS_AS(cast::controller::load_run_config("", full.lookup(), parse_flags({"--reference-fault", "misroute"})),
                  cast::controller::ConfigError);
}

TEST_CASE("the shipped example configuration loads") {
  cast::controller::RunConfig c;
  cast::controller::apply_yaml_file(c, std::string(CAST_SOURCE_DIR) + "/deploy/examples/cast.yaml");
  CHECK(c.users == 150);
  CHECK(c.workers == 2);
  CHECK(c.report_file == "cast-report.json");
}

TEST_CASE("quiet turns the live progress off, from YAML or --quiet") {
  CHECK_FALSE(cast::controller::RunConfig{}.quiet);
  CHECK(from_yaml("quiet: true\n").quiet);
  CHECK(cast::controller::load_run_config("", FakeEnvironment{}.lookup(), parse_flags({"--quiet"})).quiet);
}

TEST_CASE("load shapes: --hold and --ramp in seconds, the hold interval from YAML, bounded by the run timeout") {
  auto c = from_yaml(
      "load:\n  hold_s: 3\n  hold_interval_s: 0.5\n  ramp_s: 2\nthresholds:\n  max_loop_lag_ms: 250\n"
      "  max_harness_errors: 2\n");
  CHECK(c.hold == std::chrono::seconds{3});
  CHECK(c.hold_interval == std::chrono::milliseconds{500});
  CHECK(c.ramp == std::chrono::seconds{2});
  CHECK(c.max_loop_lag_ms == 250);
  CHECK(c.max_harness_errors == 2);
  cast::controller::apply_flags(c, parse_flags({"--hold", "1.5", "--ramp", "0"}));
  CHECK(c.hold == std::chrono::milliseconds{1500});
  CHECK(c.ramp == std::chrono::milliseconds{0});

  FakeEnvironment env;
  CHECK_NOTHROW(cast::controller::load_run_config("", env.lookup(), parse_flags({"--hold", "20", "--timeout", "30"})));
  try {
    cast::controller::load_run_config("", env.lookup(),
                                      parse_flags({"--hold", "20", "--ramp", "15", "--timeout", "30"}));
    FAIL("a hold and ramp longer than the run timeout were accepted");
  } catch (const cast::controller::ConfigError& e) {
    CHECK(std::string(e.what()).find("ramp plus hold (35.0 s) must be shorter than the run timeout (30.0 s") !=
          std::string::npos);
  }
}

TEST_CASE("the persistence section is parsed once at load, into the config") {
  auto config = from_yaml(
      "users: 5\npersistence:\n  redis:\n    run_keys: \"x:{run_id}:\"\n"
      "    agent_key: \"x:{run_id}:{user_id}:{agent_id}\"\n"
      "    user_agents_key: \"x:{run_id}:{user_id}\"\n");
  CHECK(config.persistence.redis.run_keys == "x:{run_id}:");
  CHECK(config.persistence.redis.agent_key == "x:{run_id}:{user_id}:{agent_id}");
  CHECK(config.persistence.postgres.agents_query == cast::controller::PersistenceLayout{}.postgres.agents_query);
  CHECK(from_yaml("users: 5\n").persistence.redis.run_keys == cast::controller::PersistenceLayout{}.redis.run_keys);
  CHECK_THROWS_WITH_AS(from_yaml("users: 5\npersistence:\n  postgres:\n    agent_query: x\n"),
                       doctest::Contains("test.yaml:4"), cast::controller::ConfigError);
}

TEST_CASE("users per tenant: 4 by default, from YAML population.users_per_tenant or --users-per-tenant, at least 1") {
  CHECK(cast::controller::RunConfig{}.users_per_tenant == 4);
  CHECK(from_yaml("population:\n  users_per_tenant: 10\n").users_per_tenant == 10);
  auto c = cast::controller::load_run_config("", FakeEnvironment{}.lookup(), parse_flags({"--users-per-tenant", "1"}));
  CHECK(c.users_per_tenant == 1);
  CHECK_THROWS_WITH_AS(
      cast::controller::load_run_config("", FakeEnvironment{}.lookup(), parse_flags({"--users-per-tenant", "0"})),
      doctest::Contains("--users-per-tenant"), cast::controller::ConfigError);
}

TEST_CASE("the JWT secret comes from E2E_JWT_SECRET or a file, never from a YAML value") {
  FakeEnvironment env{{{"E2E_JWT_SECRET", "from-the-environment"}}};
  CHECK(cast::controller::load_run_config("", env.lookup(), {}).jwt_secret == "from-the-environment");
  auto file = std::filesystem::temp_directory_path() / "cast-config-test-secret";
  std::ofstream{file} << "from-a-file\n";
  auto c = cast::controller::load_run_config("", env.lookup(), parse_flags({"--jwt-secret-file", file.string()}));
  CHECK(c.jwt_secret == "from-a-file");  // the file, without its line break, wins over the environment
  CHECK(from_yaml("targets:\n  jwt_secret_file: " + file.string() + "\n").jwt_secret_file == file.string());
  std::filesystem::remove(file);
  CHECK_THROWS_WITH_AS(from_yaml("targets:\n  jwt_secret: inline\n"), doctest::Contains("unknown key"),
                       cast::controller::ConfigError);
  CHECK_THROWS_WITH_AS(cast::controller::load_run_config("", FakeEnvironment{}.lookup(),
                                                         parse_flags({"--jwt-secret-file", "/nonexistent/s"})),
                       doctest::Contains("/nonexistent/s"), cast::controller::ConfigError);
}

TEST_CASE("liveness deadlines: worker silence and reconnect grace from YAML or their variables, bounded") {
  RunConfig defaults;
  CHECK(defaults.worker_silence == std::chrono::milliseconds{1'500});
  CHECK(defaults.reconnect_grace == std::chrono::milliseconds{1'000});
  auto yaml = from_yaml("controller:\n  worker_silence_ms: 4000\n  reconnect_grace_ms: 2500\n");
  CHECK(yaml.worker_silence == std::chrono::milliseconds{4'000});
  CHECK(yaml.reconnect_grace == std::chrono::milliseconds{2'500});
  FakeEnvironment env{{{"CAST_WORKER_SILENCE_MS", "15000"}, {"CAST_RECONNECT_GRACE_MS", "10000"}}};
  auto from_env = load_run_config("", env.lookup(), {});
  CHECK(from_env.worker_silence == std::chrono::milliseconds{15'000});
  CHECK(from_env.reconnect_grace == std::chrono::milliseconds{10'000});
  CHECK_THROWS_WITH_AS(from_yaml("controller: {reconnect_grace_ms: 50}\n"), doctest::Contains("reconnect_grace_ms"),
                       ConfigError);
  FakeEnvironment bad{{{"CAST_RECONNECT_GRACE_MS", "soon"}}};
  CHECK_THROWS_WITH_AS(load_run_config("", bad.lookup(), {}),
                       doctest::Contains("environment variable CAST_RECONNECT_GRACE_MS"), ConfigError);
}
