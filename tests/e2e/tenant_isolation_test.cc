// Test case 5, end to end, with users grouped into tenants: an owner check
// scoped by tenant instead of by user is caught by an attacker of the same
// tenant, and findings name both tenants. The clean platform gives none.
#include <doctest/doctest.h>

#include <iostream>
#include <set>

#include "tests/support/cast_cli.h"

using cast::test::expect_caught;
using cast::test::run_cast;

TEST_CASE("tenant_scoped_authz: a user reads and patches another user's agent of its own tenant") {
  auto run = expect_caught({"--users", "8", "--users-per-tenant", "4", "--reference-fault", "tenant_scoped_authz"},
                           "state_persistence", "unauthorized_read");
  CHECK(run.findings_of_kind("unauthorized_write") + run.findings_of_kind("unauthorized_modification") > 0);
  std::size_t within = 0, across = 0;
  const std::set<std::string> probe_kinds{"unauthorized_read", "unauthorized_write", "unauthorized_modification",
                                          "forged_token_accepted"};
  for (const auto& f : run.report.at("findings")) {
    if (probe_kinds.count(f.at("kind")) == 0) continue;
    REQUIRE(f.contains("observer_tenant"));
    REQUIRE(f.contains("owner_tenant"));
    bool same = f.at("observer_tenant") == f.at("owner_tenant");
    if (f.at("kind") == "unauthorized_read") {
      CHECK(same);  // the attacker's own token reaches only its own tenant's agents
      CHECK(f.at("observer") != f.at("owner"));
      ++within;
    }
    // Signed with the platform's key, a token claiming the victim's tenant gets in too.
    if (f.at("kind") == "forged_token_accepted" &&
        f.at("where").get<std::string>().find("other_tenant") != std::string::npos) {
      CHECK_FALSE(same);
      ++across;
    }
  }
  CHECK(within > 0);
  CHECK(across > 0);
  CHECK(run.output.find(") saw data of u-") != std::string::npos);  // the console names tenants too
  CHECK(run.output.find(" (t-") != std::string::npos);
}

TEST_CASE("clean platform with tenants of four: zero findings, identity forgeries all refused") {
  auto run = run_cast({"run", "--users", "8", "--users-per-tenant", "4"});
  INFO(run.output);
  CHECK(run.exit_code == 0);
  REQUIRE(run.report.is_object());
  CHECK(run.report.at("findings_total") == 0);
  CHECK(run.report.at("config").at("users_per_tenant") == 4);
  std::set<std::string> full;
  for (const auto& kind : run.report.at("forged_tokens").at("kinds")) {
    if (kind.at("strength") == "full") full.insert(kind.at("kind"));
  }
  for (const auto* kind : {"expired", "not_yet_valid", "wrong_audience", "missing_audience", "unknown_kid",
                           "victim_sub", "other_tenant", "other_run"}) {
    CAPTURE(kind);
    CHECK(full.count(kind) == 1);
  }
  std::cout << "matrix: --users 8 --users-per-tenant 4 (clean) -> " << run.report.at("findings_total") << " findings\n";
}
