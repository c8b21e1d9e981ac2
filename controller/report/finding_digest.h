#pragma once

// Findings folded for people: thousands of them (10,000 users on a leaking
// platform) become a few groups of one kind on one channel, each with its
// count, how many observer -> owner pairs it spans, and a few examples.

#include <cstddef>
#include <string>
#include <vector>

#include "controller/analysis/verdict.h"

namespace cast::controller {

struct FindingGroup {
  TestCaseId test_case{};
  FindingKind kind{};
  std::string channel;
  std::size_t count{0};
  std::size_t pairs{0};                  // distinct observer -> owner pairs
  std::vector<const Finding*> examples;  // a different pair each where there are enough
};

struct FindingDigest {
  std::size_t total{0};
  std::vector<FindingGroup> groups;  // largest first
  std::size_t groups_left_off{0};    // groups beyond the cap
  std::size_t findings_left_off{0};  // findings in those groups
};

struct DigestLimits {
  std::size_t groups{25};
  std::size_t examples{4};  // per group
};

// Points into `findings`, which must outlive the digest.
FindingDigest digest_findings(const std::vector<Finding>& findings, DigestLimits limits = {});

}  // namespace cast::controller
