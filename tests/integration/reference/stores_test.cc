// The reference platform's real stores against real PostgreSQL, Redis and
// ClickHouse: the same behaviours the memory stores show in the unit tests,
// plus pooling, reconnection, batching and error context.

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "common/crypto/encoding.h"
#include "common/crypto/hmac.h"
#include "common/net/http_client.h"
#include "common/process/loopback_port.h"
#include "common/protocol/schema.h"
#include "reference/store/clickhouse_startup_metrics_sink.h"
#include "reference/store/memory_agent_repository.h"
#include "reference/store/postgres_agent_repository.h"
#include "reference/store/redis_context_cache.h"
#include "tests/support/store_inspector.h"
#include "tests/support/test_environment.h"

using namespace cast::reference;
using nlohmann::json;

namespace {

// Private servers for this test process, started on first use.
const cast::controller::ServiceUrls& services() { return cast::test::shared_environment(); }

// Each test writes under its own run id, so tests never see each other's data.
std::string fresh_run_id() { return "it-stores-" + cast::hex_encode(cast::random_bytes(6)); }

std::string clickhouse_server(const std::string& url) { return url.substr(0, url.find('?')); }

int clickhouse_count(const std::string& table, const std::string& run_id) {
  const auto rows =
      cast::test::clickhouse_rows(clickhouse_server(services().clickhouse),
                                  "SELECT toUInt32(count()) AS n FROM " + table + " WHERE run_id = '" + run_id + "'");
  return rows.at(0).at("n").get<int>();
}

AgentRecord agent_of(const std::string& run_id, const std::string& agent_id, const std::string& user_id) {
  return AgentRecord{.agent_id = agent_id,
                     .run_id = run_id,
                     .user_id = user_id,
                     .tenant_id = "t-1",
                     .state = json{{"canary", "cst_" + user_id}, {"profile", {{"email", user_id + "@x.test"}}}}};
}

std::string closed_port_url(const std::string& scheme_and_user, const std::string& tail) {
  return scheme_and_user + "127.0.0.1:" + std::to_string(cast::free_loopback_port()) + tail;
}

}  // namespace

TEST_CASE("postgres repository saves, loads, overwrites and merges agents") {
  const auto run = fresh_run_id();
  PostgresAgentRepository agents(services().postgres, 4);
  CHECK_FALSE(agents.load_agent(run + "-missing").has_value());

  agents.save_agent(agent_of(run, run + "-a1", "u-1"));
  auto loaded = agents.load_agent(run + "-a1");
  REQUIRE(loaded.has_value());
  CHECK(loaded->user_id == "u-1");
  CHECK(loaded->state["profile"]["email"] == "u-1@x.test");

  agents.save_agent(agent_of(run, run + "-a1", "u-2"));  // the id_collision shape
  CHECK(agents.load_agent(run + "-a1")->user_id == "u-2");
  const auto rows = cast::test::pg_query(services().postgres, "SELECT user_id FROM agents WHERE run_id = $1", {run});
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].at("user_id") == "u-2");

  auto merged = agents.merge_state(run + "-a1", json{{"profile", "replaced"}, {"note", 7}});
  REQUIRE(merged.has_value());
  CHECK(merged->state == json{{"canary", "cst_u-2"}, {"profile", "replaced"}, {"note", 7}});
  CHECK(agents.load_agent(run + "-a1")->state == merged->state);
  CHECK_FALSE(agents.merge_state(run + "-missing", json{{"x", 1}}).has_value());
}

TEST_CASE("postgres repository stores messages and keeps its pool bounded") {
  const auto run = fresh_run_id();
  PostgresAgentRepository agents(services().postgres, 3);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < 5; ++i) {
          agents.save_message({.agent_id = run + "-a" + std::to_string(t),
                               .run_id = run,
                               .user_id = "u-" + std::to_string(t),
                               .content = "hello " + std::to_string(i)});
        }
      } catch (const std::exception&) {
        ++failures;
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  CHECK(failures.load() == 0);
  CHECK(agents.open_connections() <= 3);
  const auto rows = cast::test::pg_query(
      services().postgres, "SELECT count(*) AS n FROM agent_messages WHERE run_id = $1 AND user_id = 'u-5'", {run});
  CHECK(rows.at(0).at("n") == "5");
}

TEST_CASE("postgres repository reconnects after losing its connection") {
  const auto run = fresh_run_id();
  const auto separator = services().postgres.find('?') == std::string::npos ? "?" : "&";
  PostgresAgentRepository agents(services().postgres + separator + "application_name=" + run, 1);
  agents.save_agent(agent_of(run, run + "-a1", "u-1"));

  const auto kill_ours = [&] {
    cast::test::pg_query(services().postgres,
                         "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", {run});
  };
  kill_ours();
  // Reads are retried once on a fresh connection.
  CHECK(agents.load_agent(run + "-a1")->user_id == "u-1");

  kill_ours();
  // A message insert is not retried (it could duplicate); the error names the statement.
  std::string error;
  try {
    agents.save_message({.agent_id = run + "-a1", .run_id = run, .user_id = "u-1", .content = "x"});
  } catch (const std::runtime_error& e) {
    error = e.what();
  }
  CHECK(error.find("save_message") != std::string::npos);
  CHECK(error.find("connection lost") != std::string::npos);
  // ...and the next use has a working connection again.
  agents.save_message({.agent_id = run + "-a1", .run_id = run, .user_id = "u-1", .content = "y"});
}

TEST_CASE("redis cache writes the context hash and the user's agent set") {
  const auto run = fresh_run_id();
  RedisContextCache cache(services().redis, 4);
  const auto key = cast::schema::redis_agent_key("cast", run, "u-1", "a-1");
  const auto set = cast::schema::redis_user_agents_key("cast", run, "u-1");
  const json context{{"canary", "cst_x"}, {"profile", {{"email", "u1@x.test"}}}, {"n", 3}};
  cache.put_context(key, set, "a-1", context);
  cache.put_context(cast::schema::redis_agent_key("cast", run, "u-1", "a-2"), set, "a-2", json{{"canary", "c2"}});

  const auto hash = cast::test::redis_hgetall(services().redis, key);
  CHECK(hash.at("canary") == "cst_x");  // strings as they are
  CHECK(json::parse(hash.at("profile")) == context["profile"]);
  auto members = cast::test::redis_smembers(services().redis, set);
  std::sort(members.begin(), members.end());
  CHECK(members == std::vector<std::string>{"a-1", "a-2"});

  CHECK(cache.read_context({.key = key}) == context);
  CHECK_FALSE(cache.read_context({.key = key + ":absent"}).has_value());
}

TEST_CASE("redis cache: an abandoned reply is read by the connection's next user") {
  const auto run = fresh_run_id();
  RedisContextCache cache(services().redis, 2);
  const auto victim = cast::schema::redis_agent_key("cast", run, "victim", "a-v");
  const auto next = cast::schema::redis_agent_key("cast", run, "next", "a-n");
  cache.put_context(victim, victim + ":set", "a-v", json{{"canary", "victim"}});
  cache.put_context(next, next + ":set", "a-n", json{{"canary", "next"}});

  const ContextRead cancelled{.key = victim, .client_gone = [] { return true; }, .abandon_reply_if_gone = true};
  CHECK_FALSE(cache.read_context(cancelled).has_value());
  // The March 2023 shape: the next reader on that connection gets the victim's context.
  CHECK(cache.read_context({.key = next}) == json{{"canary", "victim"}});
  CHECK(cache.read_context({.key = next}) == json{{"canary", "next"}});
}

TEST_CASE("redis cache: without the flag a gone client's reply is read and discarded") {
  const auto run = fresh_run_id();
  RedisContextCache cache(services().redis, 2);
  const auto victim = cast::schema::redis_agent_key("cast", run, "victim", "a-v");
  const auto next = cast::schema::redis_agent_key("cast", run, "next", "a-n");
  cache.put_context(victim, victim + ":set", "a-v", json{{"canary", "victim"}});
  cache.put_context(next, next + ":set", "a-n", json{{"canary", "next"}});

  std::atomic<int> polls{0};
  const ContextRead cancelled{.key = victim,
                              .client_gone = [&polls] { return ++polls > 2; },
                              .in_flight = std::chrono::minutes{5},
                              .abandon_reply_if_gone = false};
  CHECK_FALSE(cache.read_context(cancelled).has_value());
  CHECK(polls.load() == 3);
  CHECK(cache.read_context({.key = next}) == json{{"canary", "next"}});
  CHECK(cache.read_context({.key = victim}) == json{{"canary", "victim"}});
}

TEST_CASE("clickhouse sink batches rows into few inserts") {
  const auto run = fresh_run_id();
  ClickHouseStartupMetricsSink sink(services().clickhouse, 50, std::chrono::milliseconds{200});
  const auto now = std::chrono::system_clock::now();
  for (int i = 0; i < 120; ++i) {
    sink.record({.run_id = run,
                 .user_id = "u-" + std::to_string(i % 7),
                 .agent_id = "a-" + std::to_string(i),
                 .startup_ms = 1.5 * i,
                 .ts = now});
  }
  sink.flush();
  CHECK(clickhouse_count("cast.agent_startup_metrics", run) == 120);
  const auto counters = sink.counters();
  CHECK(counters.rows_written == 120);
  CHECK(counters.rows_lost == 0);
  CHECK(counters.inserts_sent >= 3);  // 120 rows cannot fit in fewer 50-row batches
  CHECK(counters.inserts_sent < 120);
  const auto row = cast::test::clickhouse_rows(
      clickhouse_server(services().clickhouse),
      "SELECT user_id, startup_ms, toUInt32(ts) AS ts FROM cast.agent_startup_metrics WHERE run_id = '" + run +
          "' AND agent_id = 'a-10'");
  REQUIRE(row.size() == 1);
  CHECK(row[0]["user_id"] == "u-3");
  CHECK(row[0]["startup_ms"].get<double>() == doctest::Approx(15.0));
  CHECK(row[0]["ts"].get<std::int64_t>() ==
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
}

TEST_CASE("clickhouse sink sends on its timer and on destruction") {
  const auto run = fresh_run_id();
  {
    ClickHouseStartupMetricsSink sink(services().clickhouse, 1000, std::chrono::milliseconds{200});
    for (int i = 0; i < 3; ++i) {
      sink.record({.run_id = run, .user_id = "u-1", .agent_id = "timer", .startup_ms = 1, .ts = {}});
    }
    // No flush(): the 200 ms timer alone must send them (generous deadline).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
    while (clickhouse_count("cast.agent_startup_metrics", run) < 3 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
    CHECK(clickhouse_count("cast.agent_startup_metrics", run) == 3);
    sink.record({.run_id = run, .user_id = "u-1", .agent_id = "last", .startup_ms = 1, .ts = {}});
  }
  CHECK(clickhouse_count("cast.agent_startup_metrics", run) == 4);
}

TEST_CASE("clickhouse sink retries once, then counts the rows it lost") {
  const auto database = "cast_it_" + cast::hex_encode(cast::random_bytes(4));
  const auto server = clickhouse_server(services().clickhouse);
  ClickHouseStartupMetricsSink sink(server + "?database=" + database, 10, std::chrono::milliseconds{200});
  REQUIRE(cast::http_post(server, "DROP TABLE " + database + ".agent_startup_metrics").status == 200);
  sink.record({.run_id = "r", .user_id = "u", .agent_id = "a", .startup_ms = 1, .ts = {}});
  sink.record({.run_id = "r", .user_id = "u", .agent_id = "b", .startup_ms = 1, .ts = {}});
  sink.flush();
  const auto counters = sink.counters();
  CHECK(counters.rows_lost == 2);
  CHECK(counters.rows_written == 0);
  CHECK(counters.inserts_sent == 2);
  cast::http_post(server, "DROP DATABASE IF EXISTS " + database);
}

TEST_CASE("open_stores names the store and hides the password when a service is down") {
  const auto expect_failure = [](StoreOptions options, const std::string& store) {
    std::string error;
    try {
      open_stores(options);
    } catch (const std::runtime_error& e) {
      error = e.what();
    }
    INFO(error);
    CHECK(error.find(store) != std::string::npos);
    CHECK(error.find("127.0.0.1:") != std::string::npos);
    CHECK(error.find("s3cret") == std::string::npos);
  };
  expect_failure({.postgres_url = closed_port_url("postgresql://cast:s3cret@", "/cast")}, "postgres");
  expect_failure({.redis_url = closed_port_url("redis://:s3cret@", "")}, "redis");
  expect_failure({.clickhouse_url = closed_port_url("http://", "/?database=cast&password=s3cret")}, "clickhouse");
}

TEST_CASE("open_stores connects what is configured and keeps the rest in memory") {
  auto stores = open_stores({.postgres_url = services().postgres, .redis_url = services().redis});
  CHECK(dynamic_cast<PostgresAgentRepository*>(stores.agents.get()) != nullptr);
  CHECK(dynamic_cast<RedisContextCache*>(stores.contexts.get()) != nullptr);
  CHECK(dynamic_cast<ClickHouseStartupMetricsSink*>(stores.metrics.get()) == nullptr);
  auto memory_only = open_stores({});
  CHECK(dynamic_cast<MemoryAgentRepository*>(memory_only.agents.get()) != nullptr);
}
