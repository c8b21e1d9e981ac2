#include "controller/environment/reference_platform.h"

#include "controller/environment/embedded_server.h"

#include "common/crypto/encoding.h"
#include "common/crypto/hmac.h"
#include "common/net/http_client.h"
#include "common/process/loopback_port.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace cast::controller {
namespace {

using namespace std::chrono_literals;

constexpr int launch_attempts = 4;

std::filesystem::path make_log_folder() {
  std::string pattern = (std::filesystem::temp_directory_path() / "cast-reference-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("ReferencePlatform: cannot create a log folder: " + std::string(std::strerror(errno)));
  }
  return pattern;
}

// A lost race for the port shows up in the log; anything else is a real failure.
bool lost_port_race(const std::string& log) {
  std::string lower(log);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower.find("address already in use") != std::string::npos || lower.find("bind") != std::string::npos;
}

bool healthy(std::uint16_t port) {
  try {
    return http_get("http://127.0.0.1:" + std::to_string(port) + "/health", 2s).status == 200;
  } catch (const HttpError&) {
    return false;
  }
}

std::filesystem::path sibling_binary(const std::string& name) {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path{name} : self.parent_path() / name;
}

}  // namespace

ReferencePlatform::ReferencePlatform(const ReferenceOptions& options)
    : secret_(options.secret.empty() ? hex_encode(random_bytes(16)) : options.secret),
      log_folder_(make_log_folder()),
      binary_(options.binary.empty() ? sibling_binary("cast-reference") : options.binary) {
  try {
    std::vector<std::string> auth_args;
    if (!options.dialect.empty()) {
      auth_args = {"--dialect", options.dialect};
    }
    // Both start at once; each is then awaited (and relaunched on a lost port race).
    auth_ = spawn("auth", auth_args);
    backend_ = spawn("backend", backend_args(options));
    await_healthy(auth_, options.ready_timeout);
    await_healthy(backend_, options.ready_timeout);
  } catch (...) {
    stop();
    throw;
  }
}

ReferencePlatform::~ReferencePlatform() { stop(); }

std::vector<std::string> ReferencePlatform::backend_args(const ReferenceOptions& options) const {
  std::vector<std::string> args{"--startup-ms", options.startup_ms};
  if (options.stores) {
    for (const auto& [flag, url] :
         {std::pair{"--postgres", options.stores->postgres}, std::pair{"--redis", options.stores->redis},
          std::pair{"--clickhouse", options.stores->clickhouse}}) {
      if (!url.empty()) {
        args.insert(args.end(), {flag, url});
      }
    }
  }
  if (!options.redis_prefix.empty()) {
    args.insert(args.end(), {"--redis-prefix", options.redis_prefix});
  }
  for (const auto& fault : options.faults) {
    args.insert(args.end(), {"--fault", fault});
  }
  if (!options.dialect.empty()) {
    args.insert(args.end(), {"--dialect", options.dialect});
  }
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  return args;
}

ReferencePlatform::Service ReferencePlatform::spawn(const std::string& role,
                                                    const std::vector<std::string>& role_args) const {
  Service service{.role = role, .role_args = role_args, .port = free_loopback_port()};
  std::vector<std::string> args{role,       "--host", "127.0.0.1", "--port", std::to_string(service.port),
                                "--secret", secret_};
  args.insert(args.end(), role_args.begin(), role_args.end());
  service.process = std::make_unique<ChildProcess>(
      ProcessSpec{.program = binary_.string(), .args = args, .log_file = log_folder_ / (role + ".log")});
  return service;
}

void ReferencePlatform::await_healthy(Service& service, std::chrono::seconds ready_timeout) {
  auto log = log_folder_ / (service.role + ".log");
  for (int attempt = 1;; ++attempt) {
    auto deadline = std::chrono::steady_clock::now() + ready_timeout;
    while (service.process->running() && std::chrono::steady_clock::now() < deadline) {
      if (healthy(service.port) && service.process->running()) {
        return;
      }
      std::this_thread::sleep_for(20ms);
    }
    auto status = service.process->terminate(1s);
    auto tail = environment_detail::log_tail(log, 20);
    if (attempt >= launch_attempts || !lost_port_race(tail)) {
      throw std::runtime_error("cast-reference " + service.role + " on 127.0.0.1:" + std::to_string(service.port) +
                               " did not become healthy (" + status.describe() + ")\n--- tail of " + log.string() +
                               " ---\n" + tail);
    }
    service = spawn(service.role, service.role_args);
  }
}

std::string ReferencePlatform::auth_url() const { return "http://127.0.0.1:" + std::to_string(auth_.port); }

std::string ReferencePlatform::backend_url() const { return "http://127.0.0.1:" + std::to_string(backend_.port); }

std::string ReferencePlatform::ws_url() const { return "ws://127.0.0.1:" + std::to_string(backend_.port) + "/ws"; }

pid_t ReferencePlatform::backend_pid() const { return backend_.process ? backend_.process->pid() : -1; }

pid_t ReferencePlatform::auth_pid() const { return auth_.process ? auth_.process->pid() : -1; }

void ReferencePlatform::stop() {
  // Both are told at once, then awaited.
  for (auto* service : {&backend_, &auth_}) {
    if (service->process) {
      service->process->signal_group(SIGTERM);
    }
  }
  backend_.process.reset();
  auth_.process.reset();
  std::error_code ignored;
  std::filesystem::remove_all(log_folder_, ignored);
}

}  // namespace cast::controller
