#pragma once

// Reads the Prometheus text exposition format far enough to pick values
// out of a platform's /metrics: one sample per line, `name{labels} value
// [timestamp]`. Comments (# HELP, # TYPE) and blank lines are skipped, and
// so are lines that do not parse: a platform's odd extra metric must not
// hide the two we want.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cast::controller {

struct PrometheusSample {
  std::string name;
  std::map<std::string, std::string> labels;  // values unescaped
  double value{0};                            // +Inf, -Inf and NaN included
};

std::vector<PrometheusSample> parse_prometheus_text(std::string_view text);

// The value of the first sample called `name`, whatever its labels.
std::optional<double> first_value(const std::vector<PrometheusSample>& samples, std::string_view name);

}  // namespace cast::controller
