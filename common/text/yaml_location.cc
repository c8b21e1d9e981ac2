#include "common/text/yaml_location.h"

namespace cast {

std::optional<YamlLocation> yaml_location(const YAML::Mark& mark) {
  if (mark.line < 0) {
    return std::nullopt;
  }
  return YamlLocation{mark.line + 1, mark.column < 0 ? 1 : mark.column + 1};
}

std::string yaml_where(const std::string& source, const YAML::Mark& mark) {
  const auto at = yaml_location(mark);
  if (!at) {
    return source;
  }
  return source + ":" + std::to_string(at->line) + ":" + std::to_string(at->column);
}

std::string yaml_line(const YAML::Mark& mark) {
  const auto at = yaml_location(mark);
  return at ? std::to_string(at->line) : std::string("?");
}

}  // namespace cast
