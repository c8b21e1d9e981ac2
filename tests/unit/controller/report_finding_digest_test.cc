#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "controller/report/finding_digest.h"

using namespace cast::controller;  // the code under test

namespace {

cast::controller::Finding finding(cast::controller::FindingKind kind, const std::string& channel, int observer,
                                  int owner) {
  cast::controller::Finding f;
  f.kind = kind;
  f.test_case = cast::controller::TestCaseId::cross_contamination;
  f.channel = channel;
  f.observer = "user-" + std::to_string(observer);
  f.owner = "user-" + std::to_string(owner);
  f.excerpt = "x >>>canary<<< y";
  return f;
}

}  // namespace

TEST_CASE("findings digest: thousands of findings fold into a few groups, largest first, with counts and pairs") {
  std::vector<cast::controller::Finding> findings;
  for (int i = 0; i < 3000; ++i)
    findings.push_back(finding(cast::controller::FindingKind::foreign_canary, "ws", i, i + 1));
  for (int i = 0; i < 1500; ++i)
    findings.push_back(finding(cast::controller::FindingKind::foreign_request_id, "ws", i % 10, 99));
  for (int i = 0; i < 500; ++i)
    findings.push_back(finding(cast::controller::FindingKind::foreign_canary, "rest", i, i + 2));
  auto digest = cast::controller::digest_findings(findings);
  CHECK(digest.total == 5000);
  REQUIRE(digest.groups.size() == 3);
  CHECK(digest.groups_left_off == 0);
  CHECK(digest.groups[0].kind == cast::controller::FindingKind::foreign_canary);
  CHECK(digest.groups[0].channel == "ws");
  CHECK(digest.groups[0].count == 3000);
  CHECK(digest.groups[0].pairs == 3000);
  CHECK(digest.groups[1].kind == cast::controller::FindingKind::foreign_request_id);
  CHECK(digest.groups[1].count == 1500);
  CHECK(digest.groups[1].pairs == 10);
  CHECK(digest.groups[2].channel == "rest");
  for (const auto& g : digest.groups) {
    REQUIRE(g.examples.size() == 4);
    std::set<std::string> observers;
    for (const auto* f : g.examples) observers.insert(f->observer);
    CHECK(observers.size() == 4);  // examples show different pairs where there are some
  }
}

TEST_CASE("findings digest: a group with one pair shows repeats, and groups beyond the cap are counted") {
  std::vector<cast::controller::Finding> findings;
  for (int i = 0; i < 10; ++i)
    findings.push_back(finding(cast::controller::FindingKind::duplicate_agent_id, "ws", 1, 2));
  for (int k = 0; k < 40; ++k)
    findings.push_back(finding(cast::controller::FindingKind::unknown_key, "redis-" + std::to_string(k), k, k + 1));
  auto digest = cast::controller::digest_findings(findings, {.groups = 25, .examples = 3});
  CHECK(digest.total == 50);
  REQUIRE(digest.groups.size() == 25);
  CHECK(digest.groups[0].kind == cast::controller::FindingKind::duplicate_agent_id);
  CHECK(digest.groups[0].pairs == 1);
  CHECK(digest.groups[0].examples.size() == 3);
  CHECK(digest.groups_left_off == 16);
  CHECK(digest.findings_left_off == 16);
  CHECK(cast::controller::digest_findings({}).groups.empty());
}
