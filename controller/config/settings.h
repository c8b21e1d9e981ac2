#pragma once

#include <functional>
#include <string>
#include <vector>

#include "controller/config/run_config.h"

namespace cast::controller {

// One knob of a run, reachable from YAML, the environment and a flag alike,
// so the three sources share one parser and one error message.
struct Setting {
  enum class Kind { integer, number, boolean, text, list };
  std::string key;               // YAML path, e.g. "thresholds.p95_s"
  std::vector<std::string> env;  // environment variables, earlier ones win
  std::string flag;              // long flag without the dashes; empty = none
  Kind kind{Kind::text};
  std::string help;
  // Applies one textual value; throws std::invalid_argument saying what is
  // wrong with it. List settings are applied once per element.
  std::function<void(RunConfig&, const std::string&)> apply;
  // List settings only: empties the list, so a later source replaces an
  // earlier one instead of adding to it.
  std::function<void(RunConfig&)> reset;
};

// Every setting, in the order flags are applied (so --quick comes before
// --users and an explicit --users wins over it).
const std::vector<Setting>& run_settings();

const Setting* find_setting_by_key(const std::string& key);

}  // namespace cast::controller
