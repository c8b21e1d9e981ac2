#pragma once

// The reference agent platform (`cast-reference auth` + `backend`) as child
// processes: both on free loopback ports, healthy before the constructor
// returns, stopped by the destructor. `cast run` uses it for the embedded
// default; tests use it as a fixture.

#include "common/process/child_process.h"
#include "controller/environment/environment.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace cast::controller {

struct ReferenceOptions {
  std::vector<std::string> faults{};       // each NAME or NAME:RATE, as for --fault
  std::string startup_ms{"5:20"};          // simulated warm-up MIN:MAX, milliseconds (fast for tests)
  const ServiceUrls* stores{nullptr};      // null: the backend keeps its stores in memory
  std::string redis_prefix{};              // empty: the platform's default prefix
  std::vector<std::string> extra_args{};   // appended to the backend's command line
  std::string dialect{};                   // --dialect of both services; empty: protocol v1
  std::string secret{};                    // empty: a random one
  std::chrono::seconds ready_timeout{30};  // per process, until GET /health answers 200
  std::filesystem::path binary{};          // empty: cast-reference next to the running executable
};

// Spawns from the calling thread, which must outlive the platform
// (PR_SET_PDEATHSIG): the main thread.
class ReferencePlatform {
 public:
  explicit ReferencePlatform(const ReferenceOptions& options = {});  // throws std::runtime_error with the log tail
  ~ReferencePlatform();
  ReferencePlatform(const ReferencePlatform&) = delete;
  ReferencePlatform& operator=(const ReferencePlatform&) = delete;

  std::string auth_url() const;     // http://127.0.0.1:P
  std::string backend_url() const;  // http://127.0.0.1:P
  std::string ws_url() const;       // ws://127.0.0.1:P/ws
  const std::string& secret() const { return secret_; }
  pid_t backend_pid() const;
  pid_t auth_pid() const;
  // Where auth.log and backend.log are; removed by stop().
  const std::filesystem::path& log_folder() const { return log_folder_; }
  // Idempotent.
  void stop();

 private:
  struct Service {
    std::string role{};
    std::vector<std::string> role_args{};
    std::uint16_t port{0};
    std::unique_ptr<ChildProcess> process{};
  };
  Service spawn(const std::string& role, const std::vector<std::string>& role_args) const;
  // Until GET /health answers; relaunches on a lost port race, throws otherwise.
  void await_healthy(Service& service, std::chrono::seconds ready_timeout);

  std::vector<std::string> backend_args(const ReferenceOptions& options) const;

  std::string secret_;
  std::filesystem::path log_folder_;
  std::filesystem::path binary_;
  Service auth_;
  Service backend_;
};

}  // namespace cast::controller
