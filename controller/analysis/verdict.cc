#include "controller/analysis/verdict.h"

#include <chrono>

#include "common/stats/latency_samples.h"

namespace cast::controller {

LatencySummaryMs in_milliseconds(const LatencySummary& exact) {
  auto ms = [](std::chrono::microseconds value) { return static_cast<double>(value.count()) / 1000; };
  LatencySummaryMs summary;
  summary.count = exact.count;
  summary.mean = exact.mean_us / 1000;
  summary.p50 = ms(exact.p50);
  summary.p90 = ms(exact.p90);
  summary.p95 = ms(exact.p95);
  summary.p99 = ms(exact.p99);
  summary.max = ms(exact.max);
  return summary;
}

const char* to_string(RunVerdictKind kind) {
  switch (kind) {
    case RunVerdictKind::passed: return "passed";
    case RunVerdictKind::failed: return "failed";
    case RunVerdictKind::invalid: return "invalid";
  }
  return "invalid";
}

const char* to_string(CaseVerdict verdict) {
  switch (verdict) {
    case CaseVerdict::passed: return "passed";
    case CaseVerdict::failed: return "failed";
    case CaseVerdict::not_evaluated: return "not_evaluated";
  }
  return "not_evaluated";
}

const char* to_string(ForgeryCoverage::Strength strength) {
  switch (strength) {
    case ForgeryCoverage::Strength::full: return "full";
    case ForgeryCoverage::Strength::signature_only: return "signature_only";
    case ForgeryCoverage::Strength::not_run: return "not_run";
  }
  return "not_run";
}

}  // namespace cast::controller
