#include "common/process/child_process.h"
#include "common/process/loopback_port.h"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace {

using namespace std::chrono_literals;

std::filesystem::path scratch_folder() {
  std::string pattern = (std::filesystem::temp_directory_path() / "cast-process-test-XXXXXX").string();
  REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  return pattern;
}

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool process_exists(pid_t pid) { return ::kill(pid, 0) == 0 || errno != ESRCH; }

// Reads the pids a shell wrote, one per line, once it has written all of them.
std::vector<pid_t> wait_for_pids(const std::filesystem::path& file, std::size_t count) {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    std::istringstream lines(read_text(file));
    std::vector<pid_t> pids;
    for (pid_t pid = 0; lines >> pid;) {
      pids.push_back(pid);
    }
    if (pids.size() >= count) {
      return pids;
    }
    std::this_thread::sleep_for(10ms);
  }
  FAIL("the shell never wrote its pids to " << file);
  return {};
}

}  // namespace

TEST_CASE("a child's exit code is reported") {
  cast::ChildProcess child({.program = "sh", .args = {"-c", "exit 7"}});
  auto status = child.wait_for(30s);
  REQUIRE(status);
  CHECK(status->code == 7);
  CHECK(status->signal == 0);
  CHECK_FALSE(child.running());
  CHECK(child.terminate().code == 7);
}

TEST_CASE("a missing program fails at spawn, naming it") {
  try {
    cast::ChildProcess child({.program = "/nonexistent/cast-no-such-program"});
    FAIL("spawn should have thrown");
  } catch (const cast::ProcessError& error) {
    CHECK(std::string(error.what()).find("cast-no-such-program") != std::string::npos);
  }
}

TEST_CASE("stdout and stderr go to the log file, env and working dir apply") {
  auto folder = scratch_folder();
  auto log = folder / "child.log";
  cast::ProcessSpec spec{.program = "sh",
                         .args = {"-c", "echo out-$CAST_PROBE; echo err-$(pwd) >&2"},
                         .env = {{"CAST_PROBE", "42"}},
                         .working_dir = folder,
                         .log_file = log};
  cast::ChildProcess child(spec);
  REQUIRE(child.wait_for(30s));
  auto text = read_text(log);
  CHECK(text.find("out-42") != std::string::npos);
  CHECK(text.find("err-" + folder.string()) != std::string::npos);
  std::filesystem::remove_all(folder);
}

TEST_CASE("terminate kills the whole process group") {
  auto folder = scratch_folder();
  auto pids_file = folder / "pids";
  // Two background sleeps that ignore nothing; the shell itself waits.
  std::string script =
      "sleep 100 & echo $! >> " + pids_file.string() + "; sleep 100 & echo $! >> " + pids_file.string() + "; wait";
  cast::ChildProcess child({.program = "sh", .args = {"-c", script}});
  auto pids = wait_for_pids(pids_file, 2);
  for (pid_t pid : pids) {
    CHECK(::getpgid(pid) == child.pid());
  }
  auto status = child.terminate(10s);
  CHECK(status.signal == SIGTERM);
  for (pid_t pid : pids) {
    bool gone = false;
    // The sleeps are reparented when they die; give init a moment to reap them.
    for (int attempt = 0; attempt < 500 && !gone; ++attempt) {
      gone = !process_exists(pid);
      std::this_thread::sleep_for(10ms);
    }
    CHECK_MESSAGE(gone, "pid " << pid << " outlived terminate()");
  }
  std::filesystem::remove_all(folder);
}

TEST_CASE("a child that ignores SIGTERM is killed after the grace period") {
  cast::ChildProcess child({.program = "sh", .args = {"-c", "trap '' TERM; while :; do sleep 1; done"}});
  std::this_thread::sleep_for(100ms);  // let the shell install its trap
  auto status = child.terminate(200ms);
  CHECK(status.signal == SIGKILL);
  CHECK_FALSE(process_exists(child.pid()));
}

TEST_CASE("run as another user when root") {
  if (::geteuid() != 0) {
    MESSAGE("not root: run-as cannot be tested");
    return;
  }
  auto folder = scratch_folder();
  auto log = folder / "id.log";
  cast::ChildProcess child({.program = "id", .args = {"-un"}, .run_as_user = "nobody", .log_file = log});
  auto status = child.wait_for(30s);
  REQUIRE(status);
  CHECK(status->success());
  CHECK(read_text(log) == "nobody\n");
  std::filesystem::remove_all(folder);
}

TEST_CASE("an unknown run-as user is refused before fork") {
  CHECK_THROWS_AS(cast::ChildProcess({.program = "true", .run_as_user = "cast-no-such-user"}), cast::ProcessError);
}

TEST_CASE("free_loopback_port gives a port we can bind on 127.0.0.1") {
  auto port = cast::free_loopback_port();
  REQUIRE(port > 0);
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  // Another process could take it in between, which is why callers retry; here that is vanishingly rare.
  CHECK(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  ::close(fd);
}
