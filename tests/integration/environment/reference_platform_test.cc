// The ReferencePlatform fixture on top of the embedded environment: the
// glue every reference and end-to-end test stands on.
#include "tests/support/reference_platform.h"
#include "common/net/http_client.h"
#include "tests/support/test_environment.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <thread>

namespace {

using namespace std::chrono_literals;

bool process_gone(pid_t pid) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    if (::kill(pid, 0) != 0) {
      return true;
    }
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

}  // namespace

TEST_CASE("the reference platform starts healthy on the embedded stores and stops cleanly") {
  const auto& urls = cast::test::shared_environment();
  cast::test::ReferencePlatform platform({.stores = &urls, .redis_prefix = "fixture"});
  CHECK(cast::http_get(platform.auth_url() + "/health").status == 200);
  auto health = cast::http_get(platform.backend_url() + "/health");
  CHECK(health.status == 200);
  CHECK(nlohmann::json::parse(health.body).at("status") == "ok");
  CHECK(platform.ws_url() ==
        "ws://127.0.0.1:" + platform.backend_url().substr(platform.backend_url().rfind(':') + 1) + "/ws");

  auto token =
      cast::http_post(platform.auth_url() + "/auth/token",
                      R"({"user_id":"u-000001","tenant_id":"t-0001","email":"u1@example.test","run_id":"fixture"})");
  CHECK(token.status == 200);
  CHECK(nlohmann::json::parse(token.body).contains("access_token"));

  pid_t backend = platform.backend_pid();
  auto logs = platform.log_folder();
  CHECK(std::filesystem::exists(logs / "backend.log"));
  platform.stop();
  CHECK(process_gone(backend));
  CHECK_FALSE(std::filesystem::exists(logs));
}

TEST_CASE("a bad backend argument fails the start with the log tail") {
  try {
    cast::test::ReferencePlatform platform({.extra_args = {"--no-such-flag"}});
    FAIL("the platform should not have started");
  } catch (const std::runtime_error& error) {
    std::string what = error.what();
    CHECK(what.find("backend") != std::string::npos);
    CHECK(what.find("no-such-flag") != std::string::npos);
  }
}
