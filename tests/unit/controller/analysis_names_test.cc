#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "controller/analysis/finding_kind.h"
#include "controller/analysis/test_case_id.h"

using namespace cast::controller;  // the code under test

namespace {

nlohmann::json report_schema() {
  std::ifstream in(std::string(CAST_SOURCE_DIR) + "/controller/report/cast-report.schema.json");
  REQUIRE(in.good());
  return nlohmann::json::parse(in);
}

}  // namespace

TEST_CASE("analysis: every test case id round-trips through its report name") {
  std::set<std::string> names;
  for (auto id : cast::controller::all_test_case_ids()) {
    const std::string name = cast::controller::to_string(id);
    CAPTURE(name);
    CHECK(cast::controller::parse_test_case_id(name) == id);
    CHECK(names.insert(name).second);
    CHECK(std::string(cast::controller::title_of(id)).size() > 2);
  }
  CHECK(names.size() == 5);
  CHECK_FALSE(cast::controller::parse_test_case_id("startup-isolation").has_value());
  CHECK_FALSE(cast::controller::parse_test_case_id("").has_value());
}

TEST_CASE("analysis: every test case id the report schema lists is produced by one enum value, and no other") {
  const auto ids = report_schema().at("properties").at("test_cases").at("items").at("properties").at("id").at("enum");
  std::set<std::string> listed;
  for (const auto& id : ids) {
    CAPTURE(id);
    CHECK(cast::controller::parse_test_case_id(id.get<std::string>()).has_value());
    listed.insert(id.get<std::string>());
  }
  std::set<std::string> produced;
  for (auto id : cast::controller::all_test_case_ids()) produced.insert(cast::controller::to_string(id));
  CHECK(produced == listed);
}

TEST_CASE("analysis: every finding kind round-trips through its report name") {
  std::set<std::string> names;
  for (auto kind : cast::controller::all_finding_kinds()) {
    const std::string name = cast::controller::to_string(kind);
    CAPTURE(name);
    CHECK(cast::controller::parse_finding_kind(name) == kind);
    CHECK(names.insert(name).second);
    CHECK(name != "unknown_finding");
  }
  CHECK(names.size() == cast::controller::all_finding_kinds().size());
  // Names users' CI matches today, spelled exactly.
  CHECK(cast::controller::parse_finding_kind("foreign_canary") == cast::controller::FindingKind::foreign_canary);
  CHECK(cast::controller::parse_finding_kind("victim_data_in_denial") ==
        cast::controller::FindingKind::victim_data_in_denial);
  CHECK(cast::controller::parse_finding_kind("key_outside_prefix") ==
        cast::controller::FindingKind::key_outside_prefix);
  CHECK_FALSE(cast::controller::parse_finding_kind("foreign-canary").has_value());
}
