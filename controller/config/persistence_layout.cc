#include "controller/config/persistence_layout.h"

#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>

#include "common/protocol/key_pattern.h"
#include "common/text/yaml_location.h"
#include "controller/config/run_config.h"

namespace cast::controller {
namespace {

using FieldReader = std::function<void(const YAML::Node& value, const std::string& where)>;

std::string scalar(const YAML::Node& value, const std::string& where, const std::string& key) {
  if (!value.IsScalar()) {
    throw ConfigError(where, "'" + key + "' must be a single value");
  }
  return value.as<std::string>();
}

FieldReader text_field(std::string& target, const std::string& key) {
  return [&target, key](const YAML::Node& value, const std::string& where) { target = scalar(value, where, key); };
}

FieldReader list_field(std::vector<std::string>& target, const std::string& key) {
  return [&target, key](const YAML::Node& value, const std::string& where) {
    if (!value.IsSequence()) {
      throw ConfigError(where, "'" + key + "' must be a list");
    }
    target.clear();
    for (const auto& item : value) {
      target.push_back(scalar(item, where, key));
    }
  };
}

FieldReader flag_field(bool& target, const std::string& key) {
  return [&target, key](const YAML::Node& value, const std::string& where) {
    try {
      target = value.as<bool>();
    } catch (const YAML::Exception&) {
      throw ConfigError(where, "'" + key + "' must be true or false");
    }
  };
}

void read_map(const YAML::Node& node, const std::string& path, const std::string& source,
              const std::map<std::string, FieldReader>& fields) {
  if (!node.IsMap()) {
    throw ConfigError(yaml_where(source, node.Mark()), "'" + path + "' must be a map of keys");
  }
  for (const auto& entry : node) {
    const auto key = entry.first.as<std::string>();
    const auto where = yaml_where(source, entry.first.Mark());
    const auto field = fields.find(key);
    if (field == fields.end()) {
      throw ConfigError(where, "unknown key '" + path + "." + key + "'");
    }
    field->second(entry.second, where);
  }
}

void check_pattern(const std::string& text, const std::vector<std::string>& needed, const std::string& source,
                   const std::string& key) {
  try {
    const KeyPattern pattern{text};
    for (const auto& placeholder : needed) {
      if (!pattern.has(placeholder)) {
        throw ConfigError(source, "'" + key + "' must contain {" + placeholder + "}: '" + text + "'");
      }
    }
  } catch (const std::invalid_argument& error) {
    throw ConfigError(source, "'" + key + "': " + error.what());
  }
}

void require_text(const std::string& text, const std::string& needle, const std::string& source,
                  const std::string& key) {
  if (text.find(needle) == std::string::npos) {
    throw ConfigError(source, "'" + key + "' must contain " + needle + ": '" + text + "'");
  }
}

}  // namespace

PersistenceLayout read_persistence_layout(const YAML::Node& node, const std::string& source) {
  PersistenceLayout layout;
  auto& pg = layout.postgres;
  auto& redis = layout.redis;
  auto& ch = layout.clickhouse;
  const std::map<std::string, FieldReader> pg_fields{
      {"agents_query", text_field(pg.agents_query, "agents_query")},
      {"messages_query", text_field(pg.messages_query, "messages_query")},
      {"cleanup_statements", list_field(pg.cleanup_statements, "cleanup_statements")}};
  const std::map<std::string, FieldReader> redis_fields{
      {"run_keys", text_field(redis.run_keys, "run_keys")},
      {"agent_key", text_field(redis.agent_key, "agent_key")},
      {"user_agents_key", text_field(redis.user_agents_key, "user_agents_key")},
      {"count_keys_outside", flag_field(redis.count_keys_outside, "count_keys_outside")}};
  const std::map<std::string, FieldReader> ch_fields{
      {"metrics_query", text_field(ch.metrics_query, "metrics_query")},
      {"cleanup_tables", list_field(ch.cleanup_tables, "cleanup_tables")}};
  read_map(node, "persistence", source,
           {{"postgres", [&](const YAML::Node& value,
                             const std::string&) { read_map(value, "persistence.postgres", source, pg_fields); }},
            {"redis", [&](const YAML::Node& value,
                          const std::string&) { read_map(value, "persistence.redis", source, redis_fields); }},
            {"clickhouse", [&](const YAML::Node& value, const std::string&) {
               read_map(value, "persistence.clickhouse", source, ch_fields);
             }}});
  check_persistence_layout(layout, source);
  return layout;
}

void check_persistence_layout(const PersistenceLayout& layout, const std::string& source) {
  require_text(layout.postgres.agents_query, "$1", source, "persistence.postgres.agents_query");
  require_text(layout.postgres.messages_query, "$1", source, "persistence.postgres.messages_query");
  for (const auto& statement : layout.postgres.cleanup_statements) {
    require_text(statement, "$1", source, "persistence.postgres.cleanup_statements");
  }
  check_pattern(layout.redis.run_keys, {"run_id"}, source, "persistence.redis.run_keys");
  if (KeyPattern{layout.redis.run_keys}.has("user_id") || KeyPattern{layout.redis.run_keys}.has("agent_id")) {
    throw ConfigError(source, "'persistence.redis.run_keys' may use {prefix} and {run_id} only");
  }
  check_pattern(layout.redis.agent_key, {"run_id", "user_id", "agent_id"}, source, "persistence.redis.agent_key");
  check_pattern(layout.redis.user_agents_key, {"run_id", "user_id"}, source, "persistence.redis.user_agents_key");
  const auto scope = KeyPattern{layout.redis.run_keys}.bound("p", "r").literal_head();
  for (const auto* key : {&layout.redis.agent_key, &layout.redis.user_agents_key}) {
    if (!KeyPattern{*key}.bound("p", "r").literal_head().starts_with(scope)) {
      throw ConfigError(
          source, "'persistence.redis': '" + *key + "' does not start with run_keys '" + layout.redis.run_keys + "'");
    }
  }
  require_text(layout.clickhouse.metrics_query, "{run_id}", source, "persistence.clickhouse.metrics_query");
  for (const auto& table : layout.clickhouse.cleanup_tables) {
    if (table.empty() || table.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") !=
                             std::string::npos) {
      throw ConfigError(source, "'persistence.clickhouse.cleanup_tables': not a table name: '" + table + "'");
    }
  }
}

}  // namespace cast::controller
