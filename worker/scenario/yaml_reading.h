#pragma once

// Strict reading of a YAML document for the scenario parser: every node is
// read through const references (yaml-cpp 0.7 mutates on a non-const miss),
// and every complaint names the dotted key and its line.

#include <yaml-cpp/yaml.h>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "worker/scenario/text_template.h"

namespace cast::worker::yaml_reading {

[[noreturn]] void fail_at(const YAML::Node& node, const std::string& key, const std::string& what);

// A mapping whose keys must all be in `known`.
class Section {
 public:
  Section(const YAML::Node& node, std::string key, std::initializer_list<std::string_view> known);

  // The value under `name`; an undefined node when absent.
  YAML::Node get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).IsDefined(); }
  std::string key(std::string_view name) const;

 private:
  const YAML::Node& node_;
  std::string key_;
};

std::string read_string(const YAML::Node& node, const std::string& key);
nlohmann::json::json_pointer read_pointer(const YAML::Node& node, const std::string& key);
TextTemplate read_text_template(const YAML::Node& node, const std::string& key, TemplateEscape escape);
// A mapping or sequence, as a JSON text template (placeholders in strings).
TextTemplate read_json_template(const YAML::Node& node, const std::string& key);
// Plain scalars become numbers, booleans or null when they read as one;
// quoted scalars stay strings.
nlohmann::json to_json(const YAML::Node& node, const std::string& key);

}  // namespace cast::worker::yaml_reading
