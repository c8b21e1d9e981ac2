#pragma once

// Where in a YAML document a node or a parse error sits, so that every
// complaint about a configuration or scenario points its author at the line
// to fix. yaml-cpp counts lines and columns from 0 and gives a node that was
// not read from text the null mark; people count from 1.

#include <yaml-cpp/mark.h>
#include <optional>
#include <string>

namespace cast {

struct YamlLocation {
  int line = 0;    // 1-based
  int column = 0;  // 1-based
};

// Empty for a mark that points nowhere (yaml-cpp's null mark).
std::optional<YamlLocation> yaml_location(const YAML::Mark& mark);

// "config.yaml:3:5", or `source` alone when the mark points nowhere.
std::string yaml_where(const std::string& source, const YAML::Mark& mark);

// "3", or "?" when the mark points nowhere.
std::string yaml_line(const YAML::Mark& mark);

}  // namespace cast
