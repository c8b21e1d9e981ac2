#pragma once

#include <sys/types.h>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace cast::controller {

// Where the three stores of the agent platform answer. An empty URL means
// the service is not in use.
struct ServiceUrls {
  std::string postgres{};    // postgresql://USER@127.0.0.1:PORT/cast
  std::string redis{};       // redis://127.0.0.1:PORT/0
  std::string clickhouse{};  // http://127.0.0.1:HTTP_PORT/?database=cast
};

struct EnvironmentOptions {
  bool postgres{true};
  bool redis{true};
  bool clickhouse{true};
  std::chrono::seconds ready_timeout{60};        // per start(), all servers together
  int launch_attempts{4};                        // per server, when its port was taken meanwhile
  std::filesystem::path parent_folder{};         // empty: $TMPDIR or /tmp
  std::string postgres_system_user{"postgres"};  // PostgreSQL refuses root; used only when we are root
  int postgres_max_connections{300};             // a 50-connection pool per backend plus validators
  std::chrono::milliseconds stop_grace{10'000};  // per server, before SIGKILL
  // Where PostgreSQL's initdb'd cluster is kept between starts (see
  // cluster_template.h); each start copies it. Empty: initdb every start.
  std::filesystem::path postgres_template_cache{};
};

// The per-user cache folder: $XDG_CACHE_HOME/cast, else $HOME/.cache/cast;
// empty when neither variable is set.
std::filesystem::path user_cache_folder();

// A server could not be started or did not answer; the message names the
// server, its port, the environment folder and the tail of its log.
class EnvironmentError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace environment_detail {
class EmbeddedServer;
class FolderGuardian;
}  // namespace environment_detail

// Private PostgreSQL, Redis and ClickHouse servers on free loopback ports in
// one temporary folder, with the schema of protocol.md in place. Nothing
// outlives it: stop() and the destructor tear everything down, servers die
// with the thread that started them (PR_SET_PDEATHSIG), and a guardian
// shell removes the folder if this process is killed outright.
//
// Call start() from a long-lived thread (main): the servers die when the
// starting thread exits. stop() may be called from any thread.
class EmbeddedEnvironment {
 public:
  static std::unique_ptr<EmbeddedEnvironment> start(const EnvironmentOptions& options);  // throws EnvironmentError
  ~EmbeddedEnvironment();
  EmbeddedEnvironment(const EmbeddedEnvironment&) = delete;
  EmbeddedEnvironment& operator=(const EmbeddedEnvironment&) = delete;

  const ServiceUrls& urls() const { return urls_; }
  const std::filesystem::path& folder() const { return folder_; }
  std::chrono::milliseconds startup_time() const { return startup_time_; }
  // The server processes (group leaders), e.g. to check they are gone.
  std::vector<pid_t> server_pids() const;
  // Idempotent; servers first, then the folder, then the guardian.
  void stop();

 private:
  explicit EmbeddedEnvironment(const EnvironmentOptions& options);
  void launch_all();
  void launch(environment_detail::EmbeddedServer& server);
  bool advance(environment_detail::EmbeddedServer& server, int& launches);
  void wait_until_ready();

  EnvironmentOptions options_;
  std::filesystem::path folder_;
  std::chrono::steady_clock::time_point started_;
  ServiceUrls urls_;
  std::chrono::milliseconds startup_time_{0};
  std::unique_ptr<environment_detail::FolderGuardian> guardian_;
  std::vector<std::unique_ptr<environment_detail::EmbeddedServer>> servers_;
  std::mutex stop_mutex_;
  bool stopped_{false};
};

// Applies common/protocol/schema.h to the given services, idempotently:
// PostgreSQL tables in the URL's database, the ClickHouse database named by
// `?database=` (default "cast") and its tables; Redis is only checked with
// PING. Used for the embedded servers and for external ones alike. Empty
// URLs are skipped. Throws EnvironmentError naming the service and URL.
void prepare_schema(const ServiceUrls& urls);

}  // namespace cast::controller
