#include "worker/scenario/yaml_reading.h"

#include <algorithm>

#include "common/text/yaml_location.h"

#include "worker/scenario/scenario.h"

namespace cast::worker::yaml_reading {
namespace {

using nlohmann::json;

void check_placeholders(const YAML::Node& node, const std::string& key, std::string_view text) {
  try {
    for (const auto& name : placeholder_names(text)) {
      if (!template_field(name)) {
        fail_at(node, key, "unknown placeholder {{" + name + "}}");
      }
    }
  } catch (const TemplateError& error) {
    fail_at(node, key, error.what());
  }
}

json plain_scalar(const YAML::Node& node) {
  const auto& text = node.Scalar();
  if (text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return nullptr;
  }
  long long integer = 0;
  if (YAML::convert<long long>::decode(node, integer)) {
    return integer;
  }
  double real = 0;
  if (text.find_first_of("0123456789") != std::string::npos && YAML::convert<double>::decode(node, real)) {
    return real;
  }
  bool flag = false;
  if (YAML::convert<bool>::decode(node, flag)) {
    return flag;
  }
  return text;
}

json scalar_json(const YAML::Node& node, const std::string& key) {
  // yaml-cpp tags quoted scalars "!": the author asked for a string.
  auto value = node.Tag() == "!" ? json(node.Scalar()) : plain_scalar(node);
  if (value.is_string()) {
    check_placeholders(node, key, value.get_ref<const std::string&>());
  }
  return value;
}

}  // namespace

void fail_at(const YAML::Node& node, const std::string& key, const std::string& what) {
  throw ScenarioError("scenario line " + yaml_line(node.Mark()) + ", key '" + key + "': " + what);
}

Section::Section(const YAML::Node& node, std::string key, std::initializer_list<std::string_view> known)
    : node_(node), key_(std::move(key)) {
  if (!node_.IsMap()) {
    fail_at(node_, key_.empty() ? "(document)" : key_, "must be a mapping");
  }
  for (const auto& entry : node_) {
    auto name = entry.first.as<std::string>();
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      fail_at(entry.first, this->key(name), "unknown key");
    }
  }
}

YAML::Node Section::get(std::string_view name) const {
  for (const auto& entry : node_) {
    if (entry.first.Scalar() == name) {
      return entry.second;
    }
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

std::string Section::key(std::string_view name) const {
  return key_.empty() ? std::string(name) : key_ + "." + std::string(name);
}

std::string read_string(const YAML::Node& node, const std::string& key) {
  if (!node.IsScalar()) {
    fail_at(node, key, "must be a string");
  }
  return node.Scalar();
}

json::json_pointer read_pointer(const YAML::Node& node, const std::string& key) {
  auto text = read_string(node, key);
  try {
    return json::json_pointer(text);
  } catch (const json::exception& error) {
    fail_at(node, key, "not a JSON pointer (\"" + text + "\"): " + error.what());
  }
}

TextTemplate read_text_template(const YAML::Node& node, const std::string& key, TemplateEscape escape) {
  auto text = read_string(node, key);
  try {
    return TextTemplate::compile(text, escape);
  } catch (const TemplateError& error) {
    fail_at(node, key, error.what());
  }
}

TextTemplate read_json_template(const YAML::Node& node, const std::string& key) {
  if (!node.IsMap() && !node.IsSequence()) {
    fail_at(node, key, "must be a mapping (the JSON message) with {{field}} placeholders in its strings");
  }
  auto text = to_json(node, key).dump(-1, ' ', false, json::error_handler_t::replace);
  try {
    return TextTemplate::compile(text, TemplateEscape::json_string);
  } catch (const TemplateError& error) {
    fail_at(node, key, error.what());
  }
}

json to_json(const YAML::Node& node, const std::string& key) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return nullptr;
    case YAML::NodeType::Scalar: return scalar_json(node, key);
    case YAML::NodeType::Sequence: {
      auto array = json::array();
      for (std::size_t i = 0; i < node.size(); ++i) {
        array.push_back(to_json(node[i], key + "[" + std::to_string(i) + "]"));
      }
      return array;
    }
    case YAML::NodeType::Map: {
      auto object = json::object();
      for (const auto& entry : node) {
        auto name = entry.first.as<std::string>();
        object[name] = to_json(entry.second, key + "." + name);
      }
      return object;
    }
    case YAML::NodeType::Undefined: break;
  }
  fail_at(node, key, "has no value");
}

}  // namespace cast::worker::yaml_reading
