#pragma once

// The five test cases of design.md. In code a test case is this enum; its
// name is a string only in reports (JSON `id`, JUnit suite, console, HTML),
// where it must stay exactly as users' CI reads it
// (controller/report/cast-report.schema.json).

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace cast::controller {

enum class TestCaseId : std::uint8_t {
  startup_isolation,
  cross_contamination,
  performance,
  websocket_scaling,
  state_persistence,
};

// Every test case, in report order (1 to 5).
std::span<const TestCaseId> all_test_case_ids();

// The report name: "startup_isolation", ...
const char* to_string(TestCaseId id);
// The report title: "1 startup isolation", ...
const char* title_of(TestCaseId id);
// The test case a report name stands for; empty for any other text.
std::optional<TestCaseId> parse_test_case_id(std::string_view name);

}  // namespace cast::controller
