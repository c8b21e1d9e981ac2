#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "reference/store/context_hash.h"
#include "reference/store/memory_agent_repository.h"
#include "reference/store/memory_context_cache.h"
#include "reference/store/memory_startup_metrics_sink.h"

using namespace cast::reference;
using nlohmann::json;

namespace {

AgentRecord sample_agent(const std::string& agent_id, const std::string& user_id) {
  return AgentRecord{.agent_id = agent_id,
                     .run_id = "run-mem",
                     .user_id = user_id,
                     .tenant_id = "t-0001",
                     .state = json{{"canary", "cst_" + user_id}, {"n", 1}}};
}

ContextRead gone_read(const std::string& key, bool abandon) {
  return ContextRead{.key = key, .client_gone = [] { return true; }, .abandon_reply_if_gone = abandon};
}

}  // namespace

TEST_CASE("memory repository saves, loads and overwrites agents") {
  MemoryAgentRepository agents;
  CHECK_FALSE(agents.load_agent("a-1").has_value());
  agents.save_agent(sample_agent("a-1", "u-1"));
  auto loaded = agents.load_agent("a-1");
  REQUIRE(loaded.has_value());
  CHECK(loaded->user_id == "u-1");
  CHECK(loaded->state["canary"] == "cst_u-1");

  // id_collision relies on a second save of the same id replacing the first.
  agents.save_agent(sample_agent("a-1", "u-2"));
  CHECK(agents.load_agent("a-1")->user_id == "u-2");
  CHECK(agents.agent_count() == 1);
}

TEST_CASE("memory repository merges state shallowly") {
  MemoryAgentRepository agents;
  CHECK_FALSE(agents.merge_state("missing", json{{"x", 1}}).has_value());
  agents.save_agent(sample_agent("a-1", "u-1"));
  auto merged = agents.merge_state("a-1", json{{"n", json{{"deep", true}}}, {"extra", "yes"}});
  REQUIRE(merged.has_value());
  CHECK(merged->state == json{{"canary", "cst_u-1"}, {"n", {{"deep", true}}}, {"extra", "yes"}});
  CHECK(agents.load_agent("a-1")->state == merged->state);
  CHECK_THROWS_AS(agents.merge_state("a-1", json::array()), std::invalid_argument);
}

TEST_CASE("memory repository keeps messages per agent") {
  MemoryAgentRepository agents;
  agents.save_message({.agent_id = "a-1", .run_id = "r", .user_id = "u-1", .content = "hello"});
  agents.save_message({.agent_id = "a-2", .run_id = "r", .user_id = "u-2", .content = "other"});
  agents.save_message({.agent_id = "a-1", .run_id = "r", .user_id = "u-1", .content = "again"});
  const auto messages = agents.messages_of("a-1");
  REQUIRE(messages.size() == 2);
  CHECK(messages[0].content == "hello");
  CHECK(messages[1].content == "again");
}

TEST_CASE("context hash encoding round-trips strings and JSON values") {
  const json context{{"canary", "cst_abc"}, {"profile", {{"email", "a@b.c"}}}, {"n", 3}, {"quoted", "\"x\""}};
  const auto fields = context_to_hash(context);
  CHECK(fields.size() == 4);
  CHECK(hash_to_context(fields) == context);
  CHECK_THROWS_AS(context_to_hash(json::array()), std::invalid_argument);
}

TEST_CASE("memory cache stores contexts and the user's agent set") {
  MemoryContextCache cache(4);
  cache.put_context("p:r:user:u-1:agent:a-1", "p:r:user:u-1:agents", "a-1", json{{"canary", "c1"}});
  cache.put_context("p:r:user:u-1:agent:a-2", "p:r:user:u-1:agents", "a-2", json{{"canary", "c2"}});
  CHECK(cache.read_context({.key = "p:r:user:u-1:agent:a-1"}) == json{{"canary", "c1"}});
  CHECK_FALSE(cache.read_context({.key = "p:r:user:u-1:agent:none"}).has_value());
  CHECK(cache.agents_in("p:r:user:u-1:agents") == std::set<std::string>{"a-1", "a-2"});
  CHECK(cache.unread_replies() == 0);
}

TEST_CASE("memory cache: an abandoned reply is read by the connection's next user") {
  MemoryContextCache cache(2);
  cache.put_context("k:victim", "s:victim", "a-v", json{{"canary", "victim"}});
  cache.put_context("k:next", "s:next", "a-n", json{{"canary", "next"}});

  CHECK_FALSE(cache.read_context(gone_read("k:victim", true)).has_value());
  CHECK(cache.unread_replies() == 1);
  // The same connection is handed out next; its first reply is the victim's.
  CHECK(cache.read_context({.key = "k:next"}) == json{{"canary", "victim"}});
  // The pool stays off by one: the next reader gets the previous reply.
  CHECK(cache.read_context({.key = "k:victim"}) == json{{"canary", "next"}});
  CHECK(cache.unread_replies() == 1);
}

TEST_CASE("memory cache: without the flag a gone client's reply is discarded") {
  MemoryContextCache cache(2);
  cache.put_context("k:victim", "s:victim", "a-v", json{{"canary", "victim"}});
  cache.put_context("k:next", "s:next", "a-n", json{{"canary", "next"}});
  CHECK_FALSE(cache.read_context(gone_read("k:victim", false)).has_value());
  CHECK(cache.unread_replies() == 0);
  CHECK(cache.read_context({.key = "k:next"}) == json{{"canary", "next"}});
}

TEST_CASE("memory cache: a client leaving mid-flight ends the wait early") {
  MemoryContextCache cache(1);
  cache.put_context("k", "s", "a", json{{"canary", "c"}});
  std::atomic<int> polls{0};
  const ContextRead read{.key = "k",
                         .client_gone = [&polls] { return ++polls > 3; },
                         .in_flight = std::chrono::minutes{10},
                         .abandon_reply_if_gone = true};
  CHECK_FALSE(cache.read_context(read).has_value());
  CHECK(polls.load() == 4);
  CHECK(cache.unread_replies() == 1);
}

TEST_CASE("memory cache: a failing client_gone leaves no reply behind") {
  MemoryContextCache cache(1);
  cache.put_context("k", "s", "a", json{{"canary", "c"}});
  const ContextRead read{.key = "k",
                         .client_gone = []() -> bool { throw std::runtime_error("probe failed"); },
                         .abandon_reply_if_gone = true};
  CHECK_THROWS_AS(cache.read_context(read), std::runtime_error);
  CHECK(cache.unread_replies() == 0);
  CHECK(cache.read_context({.key = "k"}) == json{{"canary", "c"}});
}

TEST_CASE("memory cache is safe under concurrent readers") {
  MemoryContextCache cache(3);
  for (int u = 0; u < 8; ++u) {
    cache.put_context("k" + std::to_string(u), "s", "a" + std::to_string(u), json{{"u", "user-" + std::to_string(u)}});
  }
  std::atomic<int> wrong{0};
  std::vector<std::thread> readers;
  for (int u = 0; u < 8; ++u) {
    readers.emplace_back([&cache, &wrong, u] {
      for (int i = 0; i < 200; ++i) {
        const auto got = cache.read_context({.key = "k" + std::to_string(u)});
        if (!got || (*got)["u"] != "user-" + std::to_string(u)) {
          ++wrong;
        }
      }
    });
  }
  for (auto& reader : readers) {
    reader.join();
  }
  CHECK(wrong.load() == 0);
}

TEST_CASE("memory metrics sink keeps every row it is given") {
  MemoryStartupMetricsSink sink;
  for (int i = 0; i < 5; ++i) {
    sink.record({.run_id = "r",
                 .user_id = "u-" + std::to_string(i),
                 .agent_id = "a",
                 .startup_ms = 10.0 * i,
                 .ts = std::chrono::system_clock::now()});
  }
  sink.flush();
  const auto rows = sink.rows();
  REQUIRE(rows.size() == 5);
  CHECK(rows[3].user_id == "u-3");
  CHECK(rows[3].startup_ms == doctest::Approx(30.0));
  CHECK(sink.counters().rows_written == 5);
}
