// Test case 5, end to end: a verifier that skips one claim check is caught
// by the forgery that is bad for that claim alone. The embedded platform's
// secret is known to the controller, so every forgery is signed right.
#include <doctest/doctest.h>

#include "tests/support/cast_cli.h"

using cast::test::CastRun;
using cast::test::expect_caught;

namespace {

// Findings of forged tokens accepted, counted by the forgery named in `where`.
std::size_t accepted_forgeries(const CastRun& run, const std::string& forgery) {
  std::size_t n = 0;
  for (const auto& f : run.report.at("findings")) {
    auto where = f.at("where").get<std::string>();
    bool named = where.find("forged:" + forgery + ":") != std::string::npos;
    n += f.at("kind") == "forged_token_accepted" && named ? 1 : 0;
  }
  return n;
}

std::string strength_of(const CastRun& run, const std::string& forgery) {
  for (const auto& kind : run.report.at("forged_tokens").at("kinds")) {
    if (kind.at("kind") == forgery) return kind.at("strength");
  }
  return "absent";
}

CastRun expect_claim_caught(const std::string& fault, const std::vector<std::string>& forgeries) {
  auto run = expect_caught({"--users", "8", "--reference-fault", fault}, "state_persistence", "forged_token_accepted");
  CHECK(run.report.at("forged_tokens").at("signing_secret") == true);
  for (const auto& forgery : forgeries) {
    CAPTURE(forgery);
    CHECK(strength_of(run, forgery) == "full");
    CHECK(accepted_forgeries(run, forgery) > 0);
  }
  return run;
}

}  // namespace

TEST_CASE("jwt_ignore_exp: an expired token signed with the platform's key is caught") {
  auto run = expect_claim_caught("jwt_ignore_exp", {"expired"});
  CHECK(accepted_forgeries(run, "not_yet_valid") == 0);  // only the claim that is skipped gets through
}

TEST_CASE("jwt_ignore_nbf: a not-yet-valid token is caught") {
  auto run = expect_claim_caught("jwt_ignore_nbf", {"not_yet_valid"});
  CHECK(accepted_forgeries(run, "expired") == 0);
}

TEST_CASE("jwt_ignore_aud: tokens for another audience, or none, are caught") {
  auto run = expect_claim_caught("jwt_ignore_aud", {"wrong_audience", "missing_audience"});
  CHECK(accepted_forgeries(run, "unknown_kid") == 0);
}

TEST_CASE("jwt_ignore_kid: a token naming an unknown kid is caught") {
  auto run = expect_claim_caught("jwt_ignore_kid", {"unknown_kid"});
  CHECK(accepted_forgeries(run, "wrong_key") == 0);  // the signature is still checked
}
