#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "controller/config/run_config.h"

namespace CLI {
class App;
}

namespace cast::controller {

using EnvironmentLookup = std::function<const char*(const char*)>;

// Values of run flags as given on the command line, by flag name.
struct GivenFlags {
  std::map<std::string, std::vector<std::string>> values;
  std::map<std::string, bool> switches;  // boolean flags that appeared
};

// Registers every setting that has a flag on `app`, storing into `given`.
void add_run_flags(CLI::App& app, GivenFlags& given);

// Each layer overwrites what the previous one set; all throw ConfigError
// naming the file and line, the variable, or the flag.
void apply_yaml_file(RunConfig& config, const std::string& path);
void apply_yaml_text(RunConfig& config, const std::string& text, const std::string& source_name);
void apply_environment(RunConfig& config, const EnvironmentLookup& lookup);
void apply_flags(RunConfig& config, const GivenFlags& given);

// Defaults < YAML file (when `yaml_path` is not empty) < environment < flags,
// then cross-checks (e.g. partial target URLs).
RunConfig load_run_config(const std::string& yaml_path, const EnvironmentLookup& lookup, const GivenFlags& given);

}  // namespace cast::controller
