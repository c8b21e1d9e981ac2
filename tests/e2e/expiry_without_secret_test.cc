// Without the platform's signing secret, cast still tests expiry for real
// (a token from auth with a short ttl_s, used once expired) and says which
// forgeries it could not sign right. With a secret file it signs them all,
// and the secret appears in no output, report or log.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "tests/support/cast_cli.h"
#include "tests/support/reference_platform.h"

using namespace cast::test;

namespace {

std::map<std::string, std::string> targets_of(const ReferencePlatform& platform) {
  return {{"E2E_AUTH_SERVICE_URL", platform.auth_url()},
          {"E2E_BACKEND_URL", platform.backend_url()},
          {"E2E_WEBSOCKET_URL", platform.ws_url()}};
}

const nlohmann::json& coverage_of(const CastRun& run, const std::string& forgery) {
  for (const auto& kind : run.report.at("forged_tokens").at("kinds")) {
    if (kind.at("kind") == forgery) return kind;
  }
  throw std::runtime_error("no forgery " + forgery + " in the report");
}

std::size_t accepted(const CastRun& run, const std::string& forgery) {
  std::size_t n = 0;
  for (const auto& f : run.report.at("findings")) {
    bool named = f.at("where").get<std::string>().find("forged:" + forgery + ":") != std::string::npos;
    n += f.at("kind") == "forged_token_accepted" && named ? 1 : 0;
  }
  return n;
}

void expect_secretless_coverage(const CastRun& run) {
  CHECK(run.report.at("forged_tokens").at("signing_secret") == false);
  CHECK(coverage_of(run, "expired_issued").at("strength") == "full");
  CHECK(coverage_of(run, "expired").at("strength") == "signature_only");
  CHECK(coverage_of(run, "victim_sub").at("strength") == "not_run");
  CHECK(coverage_of(run, "victim_sub").at("note").get<std::string>().find("secret") != std::string::npos);
  CHECK(run.output.find("signature only") != std::string::npos);  // said on the console, too
}

}  // namespace

TEST_CASE("no secret, jwt_ignore_exp: a real token used after it expired is caught on REST and the upgrade") {
  ReferenceOptions options;
  options.faults = {"jwt_ignore_exp"};
  ReferencePlatform platform{options};
  auto run = run_cast({"run", "--users", "6"}, targets_of(platform));
  INFO(run.output);
  CHECK(run.exit_code == 1);
  REQUIRE(run.report.is_object());
  CHECK(run.test_case("state_persistence").at("verdict") == "failed");
  CHECK(accepted(run, "expired_issued") > 0);
  bool upgrade = false, rest = false;
  for (const auto& f : run.report.at("findings")) {
    auto where = f.at("where").get<std::string>();
    upgrade = upgrade || where.rfind("ws_upgrade_forged:expired_issued", 0) == 0;
    rest = rest || where.rfind("rest_forged:expired_issued", 0) == 0;
  }
  CHECK(upgrade);
  CHECK(rest);
  expect_secretless_coverage(run);
  std::cout << "matrix: jwt_ignore_exp (no secret, short ttl_s) -> state_persistence failed, "
            << run.report.at("findings_total") << " findings\n";
}

TEST_CASE("no secret, clean platform: zero findings, and the report says what could not run") {
  ReferencePlatform platform{ReferenceOptions{}};
  auto run = run_cast({"run", "--users", "6"}, targets_of(platform));
  INFO(run.output);
  CHECK(run.exit_code == 0);
  REQUIRE(run.report.is_object());
  CHECK(run.report.at("findings_total") == 0);
  expect_secretless_coverage(run);
}

TEST_CASE("--jwt-secret-file: every forgery at full strength, and the secret is in no output, report or log") {
  ReferenceOptions options;
  options.secret = "e2e-secret-4f1c9a77d2b8";
  options.faults = {"jwt_ignore_nbf"};
  ReferencePlatform platform{options};
  auto file = std::filesystem::temp_directory_path() / "cast-e2e-jwt-secret";
  std::ofstream{file} << options.secret << "\n";
  auto run = run_cast({"run", "--users", "6", "--jwt-secret-file", file.string()}, targets_of(platform));
  std::filesystem::remove(file);
  INFO(run.output);
  CHECK(run.exit_code == 1);
  REQUIRE(run.report.is_object());
  CHECK(run.report.at("forged_tokens").at("signing_secret") == true);
  CHECK(coverage_of(run, "not_yet_valid").at("strength") == "full");
  CHECK(accepted(run, "not_yet_valid") > 0);
  CHECK_FALSE(run.log.empty());
  for (const auto* text : {&run.output, &run.log, &run.junit}) {
    CHECK(text->find(options.secret) == std::string::npos);
  }
  CHECK(run.report.dump().find(options.secret) == std::string::npos);
}

TEST_CASE("--jwt-secret-file naming a missing file is a usage error (exit 2) that names it") {
  auto run = run_cast({"run", "--users", "2", "--jwt-secret-file", "/nonexistent/cast-secret"});
  CHECK(run.exit_code == 2);
  CHECK(run.output.find("/nonexistent/cast-secret") != std::string::npos);
}
