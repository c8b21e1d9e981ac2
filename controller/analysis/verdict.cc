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

}  // namespace cast
