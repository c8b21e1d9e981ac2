#pragma once

// The judgement of a run: each test case with its criteria, the findings
// with their evidence, and whether the run counts at all.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "controller/analysis/finding_kind.h"
#include "controller/analysis/test_case_id.h"

namespace cast {
struct LatencySummary;
}  // namespace cast

namespace cast::controller {

struct Criterion {
  std::string name;       // e.g. "startup_p95_s"
  std::string threshold;  // human-readable, with unit, e.g. "< 5 s"
  std::string observed;   // human-readable, with unit
  double observed_value{0};
  bool passed{false};
  // A resource nobody sampled: shown as not measured, never failed.
  bool measured{true};
  // Failed only through isolation findings while ISOLATION_VALIDATION_STRICT
  // is off: reported, but it does not fail its test case.
  bool warning{false};
};

enum class CaseVerdict { passed, failed, not_evaluated };

struct TestCaseResult {
  TestCaseId id{TestCaseId::startup_isolation};
  std::string title;  // e.g. "1 startup isolation"
  CaseVerdict verdict{CaseVerdict::not_evaluated};
  std::string note;  // why not evaluated, or a short summary
  std::vector<Criterion> criteria;
};

// One piece of evidence that a user saw, read or changed another's data.
struct Finding {
  FindingKind kind{FindingKind::foreign_canary};
  TestCaseId test_case{TestCaseId::cross_contamination};  // the test case it fails
  std::string observer;                                   // user that saw it (user id), or store name
  std::string owner;                                      // user the data belongs to
  std::string channel;                                    // ws, rest, postgres, redis, clickhouse
  std::string where;                                      // message type, request id, table/key
  std::string excerpt;                                    // the foreign value marked with >>> <<<
  double t_s{0};                                          // when, seconds since the run started
  std::string observer_tenant;  // the observer's tenant, when the observer is a user of the run
  std::string owner_tenant;     // the owner's tenant, when known
};

// How one kind of forged token was put to the platform in this run.
struct ForgeryCoverage {
  enum class Strength {
    full,            // only its claim made it invalid (signed with the platform's key, or needing none)
    signature_only,  // signed with a random key: a signature check alone refuses it
    not_run,         // never sent; `note` says why
  };
  std::string kind;  // expired, victim_sub, expired_issued, ...
  Strength strength{Strength::not_run};
  std::size_t probes{0};  // forged calls made with it (REST and upgrades)
  std::string note;
};

struct LatencySummaryMs {
  std::uint64_t count{0};
  double mean{0}, p50{0}, p90{0}, p95{0}, p99{0}, max{0};
};

// The exact summary of microsecond samples, in the reports' milliseconds.
LatencySummaryMs in_milliseconds(const cast::LatencySummary& exact);

enum class RunVerdictKind { passed, failed, invalid };

struct RunVerdict {
  RunVerdictKind kind{RunVerdictKind::passed};
  // Why the run says nothing about the platform, in words: the harness was
  // the bottleneck, the run was interrupted, or it stopped early.
  std::vector<std::string> invalid_reasons;
  std::vector<TestCaseResult> test_cases;
  std::vector<Finding> findings;
  LatencySummaryMs startup_ms;
  double harness_max_lag_ms{0};
  double harness_start_skew_ms{0};
  // Set when the run stopped early (3: the platform or a store could not be
  // reached; 4: workers missing, interrupted, harness failed); 0 otherwise.
  int stopped_exit_code{0};

  // design.md: 0 passed, 1 failed, 3 platform unreachable, 4 invalid.
  int exit_code() const {
    if (stopped_exit_code != 0) return stopped_exit_code;
    return kind == RunVerdictKind::passed ? 0 : kind == RunVerdictKind::failed ? 1 : 4;
  }
};

const char* to_string(RunVerdictKind kind);
const char* to_string(CaseVerdict verdict);
const char* to_string(ForgeryCoverage::Strength strength);

}  // namespace cast::controller
