#include "controller/monitor/prometheus_text.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace cast::controller {
namespace {

bool is_name_char(char c, bool first) {
  bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
  return letter || (!first && c >= '0' && c <= '9');
}

// Reads a name at `at`, moving `at` past it; empty when there is none.
std::string_view take_name(std::string_view line, std::size_t& at) {
  std::size_t start = at;
  while (at < line.size() && is_name_char(line[at], at == start)) {
    ++at;
  }
  return line.substr(start, at - start);
}

// A quoted label value starting at the opening quote; moves `at` past the
// closing one.
std::optional<std::string> take_quoted(std::string_view line, std::size_t& at) {
  if (at >= line.size() || line[at] != '"') {
    return std::nullopt;
  }
  std::string value;
  for (++at; at < line.size(); ++at) {
    char c = line[at];
    if (c == '"') {
      ++at;
      return value;
    }
    if (c == '\\' && at + 1 < line.size()) {
      c = line[++at];
      c = c == 'n' ? '\n' : c;  // \\ and \" stand for themselves
    }
    value.push_back(c);
  }
  return std::nullopt;
}

// `{a="x",b="y"}` (a trailing comma allowed) starting at '{'.
std::optional<std::map<std::string, std::string>> take_labels(std::string_view line, std::size_t& at) {
  std::map<std::string, std::string> labels;
  ++at;
  while (true) {
    at = line.find_first_not_of(" ,", at);
    if (at == std::string_view::npos) {
      return std::nullopt;
    }
    if (line[at] == '}') {
      ++at;
      return labels;
    }
    std::string key{take_name(line, at)};
    at = line.find_first_not_of(' ', at);
    if (key.empty() || at == std::string_view::npos || line[at] != '=') {
      return std::nullopt;
    }
    at = line.find_first_not_of(' ', at + 1);
    auto value = at == std::string_view::npos ? std::nullopt : take_quoted(line, at);
    if (!value) {
      return std::nullopt;
    }
    labels[key] = *value;
  }
}

std::optional<double> parse_value(std::string_view text) {
  if (text == "+Inf" || text == "Inf") {
    return std::numeric_limits<double>::infinity();
  }
  if (text == "-Inf") {
    return -std::numeric_limits<double>::infinity();
  }
  if (text == "NaN") {
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (text.starts_with('+')) {
    text.remove_prefix(1);
  }
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

std::optional<PrometheusSample> parse_line(std::string_view line) {
  std::size_t at = line.find_first_not_of(" \t");
  if (at == std::string_view::npos || line[at] == '#') {
    return std::nullopt;
  }
  PrometheusSample sample;
  sample.name = take_name(line, at);
  if (sample.name.empty()) {
    return std::nullopt;
  }
  if (at < line.size() && line[at] == '{') {
    auto labels = take_labels(line, at);
    if (!labels) {
      return std::nullopt;
    }
    sample.labels = std::move(*labels);
  }
  std::size_t start = line.find_first_not_of(" \t", at);
  if (start == std::string_view::npos || start == at) {
    return std::nullopt;  // no value, or no space before it
  }
  std::size_t end = line.find_first_of(" \t", start);  // an optional timestamp follows
  auto value = parse_value(line.substr(start, end == std::string_view::npos ? end : end - start));
  if (!value) {
    return std::nullopt;
  }
  sample.value = *value;
  return sample;
}

}  // namespace

std::vector<PrometheusSample> parse_prometheus_text(std::string_view text) {
  std::vector<PrometheusSample> samples;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (line.ends_with('\r')) {
      line.remove_suffix(1);
    }
    if (auto sample = parse_line(line)) {
      samples.push_back(std::move(*sample));
    }
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  return samples;
}

std::optional<double> first_value(const std::vector<PrometheusSample>& samples, std::string_view name) {
  for (const auto& sample : samples) {
    if (sample.name == name) {
      return sample.value;
    }
  }
  return std::nullopt;
}

}  // namespace cast::controller
