#include "controller/analysis/verdict.h"

namespace cast {

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

}  // namespace cast
