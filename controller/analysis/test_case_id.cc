#include "controller/analysis/test_case_id.h"

#include <array>

#include "controller/analysis/report_name.h"

namespace cast::controller {
namespace {

constexpr std::array kAll{TestCaseId::startup_isolation, TestCaseId::cross_contamination, TestCaseId::performance,
                          TestCaseId::websocket_scaling, TestCaseId::state_persistence};

}  // namespace

std::span<const TestCaseId> all_test_case_ids() { return kAll; }

const char* to_string(TestCaseId id) {
  switch (id) {
    case TestCaseId::startup_isolation: return "startup_isolation";
    case TestCaseId::cross_contamination: return "cross_contamination";
    case TestCaseId::performance: return "performance";
    case TestCaseId::websocket_scaling: return "websocket_scaling";
    case TestCaseId::state_persistence: return "state_persistence";
  }
  return "unknown_test_case";
}

const char* title_of(TestCaseId id) {
  switch (id) {
    case TestCaseId::startup_isolation: return "1 startup isolation";
    case TestCaseId::cross_contamination: return "2 cross-contamination";
    case TestCaseId::performance: return "3 performance under load";
    case TestCaseId::websocket_scaling: return "4 WebSocket scaling";
    case TestCaseId::state_persistence: return "5 state persistence isolation";
  }
  return "unknown test case";
}

std::optional<TestCaseId> parse_test_case_id(std::string_view name) {
  return parse_report_name(std::span<const TestCaseId>{kAll}, name);
}

}  // namespace cast::controller
