#include "controller/environment/embedded_server.h"
#include "controller/environment/environment.h"
#include "controller/environment/folder_guardian.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace cast::controller {
namespace {

using namespace std::chrono_literals;
using environment_detail::EmbeddedServer;

std::filesystem::path make_private_folder(const std::filesystem::path& parent) {
  auto base = parent.empty() ? std::filesystem::temp_directory_path() : parent;
  std::string pattern = (base / "cast-env-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw EnvironmentError("embedded environment: cannot create a folder under " + base.string() + ": " +
                           std::strerror(errno));
  }
  return pattern;
}

std::chrono::milliseconds since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
}

void prepare(EmbeddedServer& server) {
  try {
    server.prepare();
  } catch (const std::exception& error) {
    throw EnvironmentError(server.describe_failure(std::string("cannot prepare it: ") + error.what()));
  }
}

}  // namespace

std::filesystem::path user_cache_folder() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && *xdg == '/') {  // the XDG spec ignores relative paths
    return std::filesystem::path(xdg) / "cast";
  }
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home != '\0') {
    return std::filesystem::path(home) / ".cache" / "cast";
  }
  return {};
}

EmbeddedEnvironment::EmbeddedEnvironment(const EnvironmentOptions& options)
    : options_(options),
      folder_(make_private_folder(options.parent_folder)),
      started_(std::chrono::steady_clock::now()) {}

std::unique_ptr<EmbeddedEnvironment> EmbeddedEnvironment::start(const EnvironmentOptions& options) {
  std::unique_ptr<EmbeddedEnvironment> environment(new EmbeddedEnvironment(options));
  // On any failure below, the destructor stops what did start.
  environment->launch_all();
  environment->wait_until_ready();
  environment->startup_time_ = since(environment->started_);
  spdlog::info("embedded environment ready in {} ms in {}", environment->startup_time_.count(),
               environment->folder_.string());
  return environment;
}

// PostgreSQL's initdb is the longest step: it begins first, and Redis and
// ClickHouse come up (and get their schema) while it runs.
void EmbeddedEnvironment::launch_all() {
  guardian_ = std::make_unique<environment_detail::FolderGuardian>(folder_);
  if (options_.postgres) {
    servers_.push_back(environment_detail::make_postgres_server(folder_, options_));
  }
  if (options_.redis) {
    servers_.push_back(environment_detail::make_redis_server(folder_));
  }
  if (options_.clickhouse) {
    servers_.push_back(environment_detail::make_clickhouse_server(folder_));
  }
  for (auto& server : servers_) {
    server->begin();
  }
  for (auto& server : servers_) {
    if (server->ready_to_launch()) {
      launch(*server);
    }
  }
}

void EmbeddedEnvironment::launch(EmbeddedServer& server) {
  auto launched = std::chrono::steady_clock::now();
  server.launch();
  guardian_->watch_group(server.process().pid());
  spdlog::debug("{} launched in {} ms", server.name(), since(launched).count());
}

// One look at a server that is not ready yet: launches it once its
// preparation is done, relaunches it after a lost port race, and once it
// answers creates its part of the schema. True when it is ready.
bool EmbeddedEnvironment::advance(EmbeddedServer& server, int& launches) {
  if (!server.launched()) {
    if (server.ready_to_launch()) {
      launch(server);
    }
    return false;
  }
  if (auto status = server.process().wait_for(0ms)) {
    if (launches >= options_.launch_attempts) {
      throw EnvironmentError(server.describe_failure("exited at start (" + status->describe() + ") after " +
                                                     std::to_string(launches) + " launches"));
    }
    spdlog::debug("{} exited at start ({}), relaunching on another port", server.name(), status->describe());
    ++launches;
    launch(server);
    return false;
  }
  if (!server.answers()) {
    return false;
  }
  spdlog::debug("{} answers after {} ms", server.name(), since(started_).count());
  prepare(server);
  ServiceUrls own;
  server.publish_url(own);
  prepare_schema(own);
  server.publish_url(urls_);
  spdlog::debug("{} has its schema after {} ms", server.name(), since(started_).count());
  return true;
}

// Polls all servers from this thread: a relaunch after a lost port race must
// come from the same long-lived thread (PR_SET_PDEATHSIG follows the thread).
void EmbeddedEnvironment::wait_until_ready() {
  auto deadline = started_ + options_.ready_timeout;
  std::vector<EmbeddedServer*> pending;
  for (auto& server : servers_) {
    pending.push_back(server.get());
  }
  std::vector<int> launches(servers_.size(), 1);
  while (!pending.empty()) {
    for (std::size_t i = 0; i < pending.size();) {
      if (advance(*pending[i], launches[i])) {
        pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(i));
        launches.erase(launches.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
    if (!pending.empty() && std::chrono::steady_clock::now() > deadline) {
      throw EnvironmentError(pending.front()->describe_failure("did not answer within " +
                                                               std::to_string(options_.ready_timeout.count()) + " s"));
    }
    std::this_thread::sleep_for(10ms);
  }
}

EmbeddedEnvironment::~EmbeddedEnvironment() { stop(); }

std::vector<pid_t> EmbeddedEnvironment::server_pids() const {
  std::vector<pid_t> pids;
  for (const auto& server : servers_) {
    if (server->pid() > 0) {
      pids.push_back(server->pid());
    }
  }
  return pids;
}

void EmbeddedEnvironment::stop() {
  std::lock_guard lock(stop_mutex_);
  if (stopped_) {
    return;
  }
  stopped_ = true;
  auto started = std::chrono::steady_clock::now();
  for (auto& server : servers_) {
    server->request_stop();
  }
  for (auto& server : servers_) {
    server->stop(options_.stop_grace);
  }
  auto servers_stopped = since(started);
  std::error_code ignored;
  std::filesystem::remove_all(folder_, ignored);
  auto folder_removed = since(started);
  if (guardian_) {
    guardian_->dismiss();
  }
  spdlog::debug("embedded environment in {}: servers stopped in {} ms, folder removed at {} ms", folder_.string(),
                servers_stopped.count(), folder_removed.count());
}

}  // namespace cast::controller
