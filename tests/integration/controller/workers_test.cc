// LocalWorkers with stand-in worker binaries: a script that logs its command
// line and sleeps, and /bin/sleep, which refuses the worker flags and exits.
#include <doctest/doctest.h>

#include "tests/support/eventually.h"

#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include "controller/workers/local_workers.h"

using namespace cast::controller;  // the code under test

using namespace std::chrono_literals;
using namespace cast::controller;

namespace {

constexpr auto patience = 60s;  // generous: the machine is shared

struct TempFolder {
  TempFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "cast-workers-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempFolder() { std::filesystem::remove_all(path); }
  std::filesystem::path path;
};

std::filesystem::path write_fake_worker(const std::filesystem::path& folder) {
  auto script = folder / "fake-worker";
  std::ofstream(script) << "#!/bin/sh\necho \"args: $* token: $CAST_WORKER_TOKEN\"\nexec sleep 600\n";
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  return script;
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

template <typename Predicate>
bool eventually(Predicate predicate) {
  return cast::test::eventually(predicate, patience, 20ms);
}

LocalWorkerSpec spec_for(int count, const std::filesystem::path& log_dir) {
  return {.count = count,
          .controller_address = "127.0.0.1:5555",
          .token = "s3cret",
          .capacity_per_worker = 10,
          .threads_per_worker = 2,
          .log_dir = log_dir};
}

}  // namespace

TEST_CASE("workers: spawn passes the worker command line, a log each, and reports a killed worker once") {
  TempFolder temp;
  LocalWorkers workers(write_fake_worker(temp.path));
  workers.spawn(spec_for(2, temp.path / "logs"));
  REQUIRE(workers.workers().size() == 2);
  CHECK(workers.workers()[0].worker_id == "local-1");
  CHECK(workers.workers()[1].worker_id == "local-2");
  CHECK(workers.alive() == 2);
  auto log = temp.path / "logs" / "local-2.log";
  REQUIRE(eventually([&] { return read_file(log).find('\n') != std::string::npos; }));
  // The token reaches the worker in its environment, never on the command
  // line, where every local user could read it in ps.
  CHECK(read_file(log) ==
        "args: --controller 127.0.0.1:5555 --worker-id local-2 --capacity 10 --threads 2 token: s3cret\n");
  CHECK(workers.reap_exited().empty());

  pid_t victim = workers.pids()[0];
  REQUIRE(::kill(victim, SIGKILL) == 0);
  std::vector<WorkerExit> exits;
  REQUIRE(eventually([&] {
    auto more = workers.reap_exited();
    exits.insert(exits.end(), more.begin(), more.end());
    return !exits.empty();
  }));
  REQUIRE(exits.size() == 1);
  CHECK(exits[0].worker_id == "local-1");
  CHECK(exits[0].pid == victim);
  CHECK(exits[0].status.signal == SIGKILL);
  CHECK(exits[0].note().find("worker local-1") != std::string::npos);
  CHECK(exits[0].note().find("signal 9") != std::string::npos);
  CHECK(workers.reap_exited().empty());  // reported once
  CHECK(workers.alive() == 1);

  auto rest = workers.terminate_all(10s);
  REQUIRE(rest.size() == 1);  // local-1 was reported already
  CHECK(rest[0].worker_id == "local-2");
  CHECK(rest[0].status.signal == SIGTERM);  // the grace sufficed: no SIGKILL needed
  CHECK(workers.alive() == 0);
  CHECK(workers.terminate_all().empty());  // idempotent
}

TEST_CASE("workers: a worker that exits by itself is reported with its exit code") {
  TempFolder temp;
  LocalWorkers workers("/bin/sleep");  // refuses --controller and exits 1
  workers.spawn(spec_for(1, temp.path));
  std::vector<WorkerExit> exits;
  REQUIRE(eventually([&] {
    exits = workers.reap_exited();
    return !exits.empty();
  }));
  CHECK(exits[0].status.code == 1);
  CHECK(exits[0].note().find("exit code 1") != std::string::npos);
  CHECK(read_file(temp.path / "local-1.log").find("controller") != std::string::npos);
  // Numbering goes on across spawns.
  workers.spawn(spec_for(1, temp.path));
  CHECK(workers.workers().back().worker_id == "local-2");
}

TEST_CASE("workers: a missing binary is an error that names it; the default sits next to our executable") {
  LocalWorkers workers("/nonexistent/cast-worker");
  try {
    workers.spawn(spec_for(1, {}));
    FAIL("spawned a missing binary");
  } catch (const cast::ProcessError& error) {
    CHECK(std::string(error.what()).find("/nonexistent/cast-worker") != std::string::npos);
  }
  CHECK(workers.workers().empty());
  auto expected = std::filesystem::read_symlink("/proc/self/exe").parent_path() / "cast-worker";
  CHECK(default_worker_binary() == expected);
}
