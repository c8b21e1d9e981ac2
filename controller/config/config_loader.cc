#include "controller/config/config_loader.h"

#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "common/text/yaml_location.h"
#include "controller/config/persistence_layout.h"
#include "controller/config/settings.h"

namespace cast::controller {
namespace {

void apply_one(RunConfig& config, const Setting& setting, const std::string& value, const std::string& where) {
  try {
    setting.apply(config, value);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(where, "bad value for '" + setting.key + "': " + e.what());
  }
}

// `where` is the key's location; a list item is placed by its own line in `source`.
void apply_yaml_value(RunConfig& config, const Setting& setting, const YAML::Node& node, const std::string& source,
                      const std::string& where) {
  if (setting.kind == Setting::Kind::list) {
    if (!node.IsSequence()) throw ConfigError(where, "'" + setting.key + "' must be a list");
    setting.reset(config);
    for (const auto& item : node) apply_one(config, setting, item.as<std::string>(), yaml_where(source, item.Mark()));
    return;
  }
  if (!node.IsScalar()) throw ConfigError(where, "'" + setting.key + "' must be a single value");
  apply_one(config, setting, node.as<std::string>(), where);
}

// Walks nested maps into dotted keys: {thresholds: {p95_s: 4}} -> thresholds.p95_s.
void walk(RunConfig& config, const YAML::Node& map, const std::string& prefix, const std::string& source) {
  for (const auto& entry : map) {
    const YAML::Node& key_node = entry.first;
    const YAML::Node& value = entry.second;
    auto key = prefix + key_node.as<std::string>();
    auto where = yaml_where(source, key_node.Mark());
    if (key == "persistence") {
      config.persistence = read_persistence_layout(value, source);  // parsed here, where lines are known
    } else if (const auto* setting = find_setting_by_key(key)) {
      apply_yaml_value(config, *setting, value, source, where);
    } else if (value.IsMap()) {
      walk(config, value, key + ".", source);
    } else {
      throw ConfigError(where, "unknown key '" + key + "'");
    }
  }
}

// Users are bounded by the run timeout from the go; a ramp and a hold that
// alone use it up would fail every user with run_timeout.
void check_load_shape(const RunConfig& config) {
  auto shaped = config.ramp + config.hold;
  if (shaped.count() > 0 && shaped >= config.run_timeout) {
    char text[160];
    std::snprintf(text, sizeof text, "ramp plus hold (%.1f s) must be shorter than the run timeout (%.1f s, --timeout)",
                  static_cast<double>(shaped.count()) / 1000, static_cast<double>(config.run_timeout.count()) / 1000);
    throw ConfigError("load.hold_s / load.ramp_s (--hold, --ramp)", text);
  }
}

void check_targets(const RunConfig& c) {
  int given = !c.auth_url.empty() + !c.backend_url.empty() + !c.ws_url.empty();
  if (given != 0 && given != 3) {
    throw ConfigError("targets",
                      "give all three of auth_url, backend_url and ws_url, or none for the embedded default");
  }
  if (!c.reference_faults.empty() && !c.uses_embedded_platform()) {
    throw ConfigError("--reference-fault",
                      "faults apply to the embedded reference platform only; drop the target URLs");
  }
  if (c.performance_only && c.isolation_only) {
    throw ConfigError("--performance-only/--isolation-only", "choose one of them");
  }
}

// The secret file's content, without the line break an editor leaves at the end.
void read_jwt_secret(RunConfig& c) {
  if (c.jwt_secret_file.empty()) return;
  std::ifstream in{c.jwt_secret_file, std::ios::binary};
  std::stringstream text;
  text << in.rdbuf();
  auto secret = text.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (!in || secret.empty()) {
    throw ConfigError("--jwt-secret-file " + c.jwt_secret_file,
                      "cannot read a secret from this file (missing or empty)");
  }
  c.jwt_secret = std::move(secret);
}

}  // namespace

void add_run_flags(CLI::App& app, GivenFlags& given) {
  for (const auto& s : run_settings()) {
    if (s.flag.empty()) continue;
    if (s.kind == Setting::Kind::boolean) {
      app.add_flag_callback(
          "--" + s.flag, [&given, flag = s.flag] { given.switches[flag] = true; }, s.help);
    } else {
      auto* option = app.add_option("--" + s.flag, given.values[s.flag], s.help);
      if (s.kind != Setting::Kind::list) option->expected(1);
    }
  }
}

void apply_yaml_text(RunConfig& config, const std::string& text, const std::string& source_name) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(yaml_where(source_name, e.mark), "not valid YAML: " + e.msg);
  }
  if (root.IsNull()) return;
  if (!root.IsMap()) throw ConfigError(source_name, "the configuration must be a map of keys");
  try {
    walk(config, root, "", source_name);
  } catch (const YAML::Exception& e) {
    throw ConfigError(yaml_where(source_name, e.mark), e.msg);
  }
}

void apply_yaml_file(RunConfig& config, const std::string& path) {
  std::ifstream in{path};
  if (!in) throw ConfigError(path, "cannot read the configuration file");
  std::stringstream text;
  text << in.rdbuf();
  apply_yaml_text(config, text.str(), path);
}

void apply_environment(RunConfig& config, const EnvironmentLookup& lookup) {
  for (const auto& s : run_settings()) {
    for (const auto& name : s.env) {
      const char* value = lookup(name.c_str());
      if (value == nullptr || *value == '\0') continue;
      apply_one(config, s, value, "environment variable " + name);
      break;
    }
  }
}

void apply_flags(RunConfig& config, const GivenFlags& given) {
  for (const auto& s : run_settings()) {
    if (given.switches.count(s.flag)) apply_one(config, s, "true", "--" + s.flag);
    auto values = given.values.find(s.flag);
    if (values == given.values.end() || values->second.empty()) continue;
    if (s.reset) s.reset(config);
    for (const auto& v : values->second) apply_one(config, s, v, "--" + s.flag);
  }
}

RunConfig load_run_config(const std::string& yaml_path, const EnvironmentLookup& lookup, const GivenFlags& given) {
  RunConfig config;
  if (!yaml_path.empty()) apply_yaml_file(config, yaml_path);
  apply_environment(config, lookup);
  apply_flags(config, given);
  check_targets(config);
  check_load_shape(config);
  read_jwt_secret(config);
  return config;
}

}  // namespace cast::controller
