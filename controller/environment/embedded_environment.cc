#include "controller/environment/embedded_server.h"
#include "controller/environment/environment.h"
#include "controller/environment/folder_guardian.h"

#include <spdlog/spdlog.h>

#include <cerrno>
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

EmbeddedEnvironment::EmbeddedEnvironment(const EnvironmentOptions& options)
    : options_(options), folder_(make_private_folder(options.parent_folder)) {}

std::unique_ptr<EmbeddedEnvironment> EmbeddedEnvironment::start(const EnvironmentOptions& options) {
  auto started = std::chrono::steady_clock::now();
  std::unique_ptr<EmbeddedEnvironment> environment(new EmbeddedEnvironment(options));
  // On any failure below, the destructor stops what did start.
  environment->launch_all();
  environment->wait_until_ready();
  prepare_schema(environment->urls_);
  environment->startup_time_ = since(started);
  spdlog::info("embedded environment ready in {} ms in {}", environment->startup_time_.count(),
               environment->folder_.string());
  return environment;
}

// Redis and ClickHouse first: they come up while initdb runs.
void EmbeddedEnvironment::launch_all() {
  guardian_ = std::make_unique<environment_detail::FolderGuardian>(folder_);
  if (options_.redis) {
    servers_.push_back(environment_detail::make_redis_server(folder_));
  }
  if (options_.clickhouse) {
    servers_.push_back(environment_detail::make_clickhouse_server(folder_));
  }
  if (options_.postgres) {
    servers_.push_back(environment_detail::make_postgres_server(folder_, options_));
  }
  for (auto& server : servers_) {
    auto launched = std::chrono::steady_clock::now();
    server->launch();
    guardian_->watch_group(server->process().pid());
    spdlog::debug("{} launched in {} ms", server->name(), since(launched).count());
  }
}

// Polls all servers from this thread: a relaunch after a lost port race must
// come from the same long-lived thread (PR_SET_PDEATHSIG follows the thread).
void EmbeddedEnvironment::wait_until_ready() {
  auto deadline = std::chrono::steady_clock::now() + options_.ready_timeout;
  std::vector<EmbeddedServer*> pending;
  for (auto& server : servers_) {
    pending.push_back(server.get());
  }
  std::vector<int> launches(servers_.size(), 1);
  while (!pending.empty()) {
    for (std::size_t i = 0; i < pending.size();) {
      EmbeddedServer& server = *pending[i];
      if (auto status = server.process().wait_for(0ms)) {
        int& count = launches[i];
        if (count >= options_.launch_attempts) {
          throw EnvironmentError(server.describe_failure("exited at start (" + status->describe() + ") after " +
                                                         std::to_string(count) + " launches"));
        }
        spdlog::debug("{} exited at start ({}), relaunching on another port", server.name(), status->describe());
        ++count;
        server.launch();
        guardian_->watch_group(server.process().pid());
        ++i;
      } else if (server.answers()) {
        spdlog::debug("{} answers after {} ms", server.name(), since(deadline - options_.ready_timeout).count());
        prepare(server);
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
  for (auto& server : servers_) {
    server->publish_url(urls_);
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
  std::error_code ignored;
  std::filesystem::remove_all(folder_, ignored);
  if (guardian_) {
    guardian_->dismiss();
  }
  spdlog::debug("embedded environment in {} stopped in {} ms", folder_.string(), since(started).count());
}

}  // namespace cast::controller
