#include "controller/run/platform_target.h"

#include <spdlog/spdlog.h>

#include "common/net/http_client.h"
#include "controller/environment/environment.h"
#include "controller/environment/reference_platform.h"

namespace cast::controller {
namespace {

void expect_health(const std::string& service, const std::string& base_url, bool insecure) {
  try {
    HttpRequest request;
    request.url = base_url + "/health";
    request.timeout = std::chrono::seconds{5};
    request.verify_peer = !insecure;
    auto res = http_request(request);
    if (res.status != 200) {
      throw PlatformUnreachable(service + " at " + base_url + " answered /health with HTTP " +
                                std::to_string(res.status));
    }
  } catch (const HttpError& e) {
    throw PlatformUnreachable(service + " at " + base_url + " cannot be reached: " + e.what());
  }
}

}  // namespace

std::unique_ptr<PlatformTarget> PlatformTarget::open(const RunConfig& config) {
  std::unique_ptr<PlatformTarget> target{new PlatformTarget};
  target->endpoints_.redis_prefix = config.redis_prefix;
  if (config.uses_embedded_platform()) {
    target->start_embedded(config);
  } else {
    target->check_external(config);
  }
  return target;
}

PlatformTarget::~PlatformTarget() {
  platform_.reset();
  environment_.reset();
}

void PlatformTarget::start_embedded(const RunConfig& config) {
  try {
    EnvironmentOptions options;
    if (!config.no_cache) options.postgres_template_cache = user_cache_folder();
    environment_ = EmbeddedEnvironment::start(options);
  } catch (const EnvironmentError& e) {
    throw PlatformUnreachable(std::string{"embedded environment: "} + e.what());
  }
  ReferenceOptions options;
  options.stores = &environment_->urls();
  options.faults = config.reference_faults;
  options.startup_ms = "50:250";  // the platform's own default warm-up
  options.redis_prefix = config.redis_prefix;
  options.secret = config.jwt_secret;  // empty: the platform picks a random one
  try {
    platform_ = std::make_unique<ReferencePlatform>(options);
  } catch (const std::exception& e) {
    throw PlatformUnreachable(std::string{"embedded reference platform: "} + e.what());
  }
  auto& ep = endpoints_;
  ep.embedded = true;
  ep.auth_url = platform_->auth_url();
  ep.backend_url = platform_->backend_url();
  ep.ws_url = platform_->ws_url();
  ep.jwt_secret = platform_->secret();
  ep.postgres_url = environment_->urls().postgres;
  ep.redis_url = environment_->urls().redis;
  ep.clickhouse_url = environment_->urls().clickhouse;
  ep.local_pids = {platform_->backend_pid(), platform_->auth_pid()};
  for (auto pid : environment_->server_pids()) ep.local_pids.push_back(pid);
  spdlog::info("embedded platform: auth {}, backend {}, stores in {}", ep.auth_url, ep.backend_url,
               environment_->folder().string());
}

void PlatformTarget::check_external(const RunConfig& config) {
  auto& ep = endpoints_;
  ep.auth_url = config.auth_url;
  ep.backend_url = config.backend_url;
  ep.ws_url = config.ws_url;
  ep.postgres_url = config.postgres_url;
  ep.redis_url = config.redis_url;
  ep.clickhouse_url = config.clickhouse_url;
  ep.jwt_secret = config.jwt_secret;
  expect_health("auth service", ep.auth_url, config.insecure_tls);
  expect_health("backend", ep.backend_url, config.insecure_tls);
}

}  // namespace cast::controller
