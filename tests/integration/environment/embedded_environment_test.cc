#include "common/net/http_client.h"
#include "common/net/url.h"
#include "common/process/child_process.h"
#include "controller/environment/environment.h"
#include "tests/support/test_environment.h"

#include <doctest/doctest.h>
#include <hiredis/hiredis.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <csignal>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

using namespace cast::controller;  // the code under test

namespace {

using namespace std::chrono_literals;

// A process as /proc shows it; the start time tells a reused pid apart.
struct ProcessIdentity {
  pid_t pid{0};
  unsigned long long start_time{0};
  auto operator<=>(const ProcessIdentity&) const = default;
};

struct ProcStat {
  char state{'?'};
  pid_t parent{0};
  unsigned long long start_time{0};
};

std::optional<ProcStat> read_stat(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  if (close == std::string::npos) {
    return std::nullopt;
  }
  std::istringstream fields(text.substr(close + 2));
  ProcStat stat;
  std::string skip;
  fields >> stat.state >> stat.parent;
  for (int field = 5; field < 22; ++field) {
    fields >> skip;
  }
  fields >> stat.start_time;
  return stat;
}

bool alive(const ProcessIdentity& process) {
  auto stat = read_stat(process.pid);
  return stat && stat->state != 'Z' && stat->start_time == process.start_time;
}

// `root` and everything below it, now.
std::set<ProcessIdentity> process_tree(pid_t root) {
  std::map<pid_t, ProcStat> all;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") == std::string::npos) {
      if (auto stat = read_stat(std::stoi(name))) {
        all[std::stoi(name)] = *stat;
      }
    }
  }
  std::set<ProcessIdentity> tree;
  std::vector<pid_t> frontier{root};
  while (!frontier.empty()) {
    pid_t pid = frontier.back();
    frontier.pop_back();
    if (all.contains(pid)) {
      tree.insert({pid, all[pid].start_time});
    }
    for (const auto& [child, stat] : all) {
      if (stat.parent == pid) {
        frontier.push_back(child);
      }
    }
  }
  return tree;
}

std::set<ProcessIdentity> trees_of(const std::vector<pid_t>& roots) {
  std::set<ProcessIdentity> all;
  for (pid_t root : roots) {
    all.merge(process_tree(root));
  }
  return all;
}

// Polls until every process has gone and the folder with it.
void expect_all_gone(const std::set<ProcessIdentity>& processes, const std::filesystem::path& folder,
                     std::chrono::seconds deadline) {
  auto until = std::chrono::steady_clock::now() + deadline;
  auto left = [&] { return std::count_if(processes.begin(), processes.end(), alive); };
  while ((left() > 0 || std::filesystem::exists(folder)) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(50ms);
  }
  for (const auto& process : processes) {
    CHECK_MESSAGE(!alive(process), "pid " << process.pid << " is still running");
  }
  CHECK_MESSAGE(!std::filesystem::exists(folder), folder << " is still there");
}

std::set<std::string> postgres_tables(const std::string& url) {
  pqxx::connection connection(url);
  pqxx::nontransaction query(connection);
  std::set<std::string> names;
  for (const auto& row : query.exec("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")) {
    names.insert(row[0].as<std::string>());
  }
  return names;
}

std::string redis_ping(const std::string& url) {
  auto parsed = cast::parse_url(url);
  std::unique_ptr<redisContext, decltype(&redisFree)> context(
      redisConnectWithTimeout(parsed.host.c_str(), parsed.port, timeval{5, 0}), &redisFree);
  REQUIRE(context);
  REQUIRE(context->err == 0);
  std::unique_ptr<redisReply, decltype(&freeReplyObject)> reply(
      static_cast<redisReply*>(redisCommand(context.get(), "PING")), &freeReplyObject);
  REQUIRE(reply);
  return std::string(reply->str, reply->len);
}

std::string clickhouse_query(const std::string& url, const std::string& sql) {
  auto answer = cast::http_post(cast::parse_url(url).origin() + "/", sql, 10s);
  REQUIRE_MESSAGE(answer.status == 200, answer.body);
  return answer.body;
}

std::uint16_t port_of(const std::string& url) { return cast::parse_url(url).port; }

// `cast env` with its output in `log`; returns the JSON line it prints once ready.
nlohmann::json wait_for_env_line(cast::ChildProcess& cast_env, const std::filesystem::path& log) {
  auto until = std::chrono::steady_clock::now() + 120s;
  while (std::chrono::steady_clock::now() < until && cast_env.running()) {
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) {
      if (line.starts_with("{")) {
        return nlohmann::json::parse(line);
      }
    }
    std::this_thread::sleep_for(50ms);
  }
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  FAIL("cast env printed no URLs:\n" << text);
  return {};
}

struct CastEnvRun {
  std::filesystem::path log =
      std::filesystem::temp_directory_path() / ("cast-env-test-" + std::to_string(::getpid()) + ".log");
  cast::ChildProcess process{{.program = std::string(CAST_BIN_DIR) + "/cast", .args = {"env"}, .log_file = log}};
  nlohmann::json ready = wait_for_env_line(process, log);
  ~CastEnvRun() { std::filesystem::remove(log); }
};

}  // namespace

TEST_CASE("the shared environment serves the schema of protocol.md") {
  const auto& urls = cast::test::shared_environment();
  auto tables = postgres_tables(urls.postgres);
  CHECK(tables.contains("agents"));
  CHECK(tables.contains("agent_messages"));
  CHECK(redis_ping(urls.redis) == "PONG");
  CHECK(clickhouse_query(urls.clickhouse,
                         "SELECT count() FROM system.tables WHERE database = 'cast' AND "
                         "name = 'agent_startup_metrics'") == "1\n");
  CHECK(port_of(urls.postgres) != port_of(urls.redis));
  CHECK(port_of(urls.redis) != port_of(urls.clickhouse));
}

TEST_CASE("prepare_schema is idempotent") {
  const auto& urls = cast::test::shared_environment();
  CHECK_NOTHROW(cast::controller::prepare_schema(urls));
  CHECK_THROWS_AS(cast::controller::prepare_schema({.postgres = "postgresql://cast@127.0.0.1:1/cast"}),
                  cast::controller::EnvironmentError);
}

TEST_CASE("two environments side by side do not collide, and stop() leaves nothing behind") {
  auto first = cast::controller::EmbeddedEnvironment::start({});
  auto second = cast::controller::EmbeddedEnvironment::start({});
  MESSAGE("start() took " << first->startup_time().count() << " ms and " << second->startup_time().count() << " ms");
  CHECK(first->folder() != second->folder());
  CHECK(port_of(first->urls().postgres) != port_of(second->urls().postgres));
  CHECK(port_of(first->urls().redis) != port_of(second->urls().redis));
  CHECK(port_of(first->urls().clickhouse) != port_of(second->urls().clickhouse));
  CHECK(redis_ping(second->urls().redis) == "PONG");

  auto processes = trees_of(first->server_pids());
  REQUIRE(processes.size() >= 3);  // PostgreSQL alone runs several
  first->stop();
  first->stop();
  // stop() reaps the servers itself; the deadline only covers PostgreSQL's backends.
  expect_all_gone(processes, first->folder(), 20s);
  CHECK(postgres_tables(second->urls().postgres).contains("agents"));
}

TEST_CASE("cast env tears down on SIGTERM and exits 0") {
  CastEnvRun run;
  std::filesystem::path folder = run.ready["folder"].get<std::string>();
  CHECK(std::filesystem::exists(folder));
  CHECK(redis_ping(run.ready["redis"]) == "PONG");
  auto processes = process_tree(run.process.pid());
  REQUIRE(processes.size() >= 5);  // cast, guardian, three servers
  ::kill(run.process.pid(), SIGTERM);
  auto status = run.process.wait_for(60s);
  REQUIRE(status);
  CHECK(status->code == 0);
  expect_all_gone(processes, folder, 20s);
}

TEST_CASE("cast env killed outright leaves no server and no folder behind") {
  CastEnvRun run;
  std::filesystem::path folder = run.ready["folder"].get<std::string>();
  auto processes = process_tree(run.process.pid());
  REQUIRE(processes.size() >= 5);
  ::kill(run.process.pid(), SIGKILL);
  REQUIRE(run.process.wait_for(30s));
  expect_all_gone(processes, folder, 20s);
}
