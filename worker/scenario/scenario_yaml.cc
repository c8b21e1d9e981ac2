#include <algorithm>

#include "common/text/yaml_location.h"

#include "worker/scenario/scenario.h"
#include "worker/scenario/yaml_reading.h"

namespace cast::worker {
namespace {

using namespace yaml_reading;

void read_replies(const YAML::Node& node, const std::string& key, ReplyPointers& replies) {
  Section section(node, key, {"type", "request_id", "agent_id", "user_id", "code", "error_type"});
  auto pointer = [&](std::string_view name, nlohmann::json::json_pointer& into) {
    if (section.has(name)) {
      into = read_pointer(section.get(name), section.key(name));
    }
  };
  pointer("type", replies.type);
  pointer("request_id", replies.request_id);
  pointer("agent_id", replies.agent_id);
  pointer("user_id", replies.user_id);
  pointer("code", replies.code);
  if (section.has("error_type")) {
    replies.error_type = read_string(section.get("error_type"), section.key("error_type"));
  }
}

std::string read_method(const YAML::Node& node, const std::string& key) {
  auto method = read_string(node, key);
  const auto allowed = {"GET", "POST", "PUT", "PATCH", "DELETE"};
  if (std::find(allowed.begin(), allowed.end(), method) == allowed.end()) {
    fail_at(node, key, "must be one of GET, POST, PUT, PATCH, DELETE");
  }
  return method;
}

void read_http_fields(const Section& section, HttpShape& shape) {
  if (section.has("method")) {
    shape.method = read_method(section.get("method"), section.key("method"));
  }
  if (section.has("path")) {
    shape.target = read_text_template(section.get("path"), section.key("path"), TemplateEscape::url);
  }
  if (section.has("body")) {
    const auto body = section.get("body");
    shape.body = body.IsNull() ? TextTemplate{} : read_json_template(body, section.key("body"));
  }
}

void read_token(const YAML::Node& node, TokenShape& token) {
  Section section(node, "token", {"method", "path", "body", "token_pointer", "query_parameter"});
  read_http_fields(section, token.call);
  if (section.has("token_pointer")) {
    token.token = read_pointer(section.get("token_pointer"), section.key("token_pointer"));
  }
  if (section.has("query_parameter")) {
    const auto parameter = section.get("query_parameter");
    token.query_parameter = parameter.IsNull() ? "" : read_string(parameter, section.key("query_parameter"));
  }
}

void read_rest(const YAML::Node& node, const std::string& key, std::optional<HttpShape>& rest) {
  if (node.IsNull()) {
    rest.reset();
    return;
  }
  Section section(node, key, {"method", "path", "body"});
  HttpShape shape = rest.value_or(HttpShape{});
  read_http_fields(section, shape);
  if (shape.target.empty()) {
    fail_at(node, key + ".path", "is required");
  }
  rest = std::move(shape);
}

// `replies` of a step overlays the document's global pointers.
void read_exchange(const YAML::Node& node, const std::string& key, const ReplyPointers& global, WsExchange& step,
                   std::optional<HttpShape>* rest = nullptr) {
  step.replies = global;
  if (!node.IsDefined()) {
    return;
  }
  Section section = rest ? Section(node, key, {"send", "expect", "replies", "rest"})
                         : Section(node, key, {"send", "expect", "replies"});
  if (section.has("send")) {
    step.send = read_json_template(section.get("send"), section.key("send"));
  }
  if (section.has("expect")) {
    step.expect = read_string(section.get("expect"), section.key("expect"));
  }
  if (section.has("replies")) {
    read_replies(section.get("replies"), section.key("replies"), step.replies);
  }
  if (rest && section.has("rest")) {
    read_rest(section.get("rest"), section.key("rest"), *rest);
  }
}

std::vector<TextTemplate> read_messages(const YAML::Node& node) {
  if (!node.IsSequence()) {
    fail_at(node, "messages", "must be a list of message contents");
  }
  std::vector<TextTemplate> messages;
  for (std::size_t i = 0; i < node.size(); ++i) {
    messages.push_back(read_text_template(node[i], "messages[" + std::to_string(i) + "]", TemplateEscape::none));
  }
  return messages;
}

void check_complete(const YAML::Node& root, const Scenario& scenario) {
  auto require = [&](bool present, const std::string& key) {
    if (!present) {
      fail_at(root, key, "is required");
    }
  };
  require(!scenario.token.call.target.empty(), "token.path");
  require(!scenario.start.send.empty(), "start.send");
  require(!scenario.start.expect.empty(), "start.expect");
  require(scenario.messages.empty() || !scenario.message.send.empty(), "message.send");
  require(scenario.messages.empty() || !scenario.message.expect.empty(), "message.expect");
  require(scenario.state.send.empty() || !scenario.state.expect.empty(), "state.expect");
  require(scenario.update.send.empty() || !scenario.update.expect.empty(), "update.expect");
}

YAML::Node load(std::string_view document) {
  try {
    return YAML::Load(std::string(document));
  } catch (const YAML::Exception& error) {
    throw ScenarioError("scenario line " + yaml_line(error.mark) + ": " + error.msg);
  }
}

Scenario parse_over(Scenario scenario, std::string_view document) {
  const YAML::Node root = load(document);
  Section top(root, "", {"name", "token", "replies", "start", "message", "messages", "state", "update"});
  if (top.has("name")) {
    scenario.name = read_string(top.get("name"), "name");
  }
  if (top.has("token")) {
    read_token(top.get("token"), scenario.token);
  }
  ReplyPointers global = scenario.start.replies;
  if (top.has("replies")) {
    read_replies(top.get("replies"), "replies", global);
  }
  read_exchange(top.get("start"), "start", global, scenario.start);
  read_exchange(top.get("message"), "message", global, scenario.message);
  read_exchange(top.get("state"), "state", global, scenario.state, &scenario.state_rest);
  read_exchange(top.get("update"), "update", global, scenario.update, &scenario.update_rest);
  if (top.has("messages")) {
    scenario.messages = read_messages(top.get("messages"));
  }
  check_complete(root, scenario);
  return scenario;
}

}  // namespace

Scenario parse_scenario(std::string_view document) { return parse_over(default_scenario(), document); }

const Scenario& default_scenario() {
  static const Scenario scenario = parse_over(Scenario{}, default_scenario_document());
  return scenario;
}

ReplyFields read_reply(const nlohmann::json& answer, const ReplyPointers& pointers) {
  auto text_at = [&](const nlohmann::json::json_pointer& pointer) -> std::string {
    if (!answer.is_object() && !answer.is_array()) {
      return {};
    }
    // Replies routinely lack a field (agent_response has no user_id): ask
    // first, so that a missing one costs no exception on every frame.
    if (!answer.contains(pointer)) {
      return {};
    }
    try {
      const auto& value = answer.at(pointer);
      return value.is_string() ? value.get<std::string>() : (value.is_number() ? value.dump() : std::string{});
    } catch (const nlohmann::json::exception&) {
      return {};
    }
  };
  return {text_at(pointers.type), text_at(pointers.request_id), text_at(pointers.agent_id), text_at(pointers.user_id),
          text_at(pointers.code)};
}

}  // namespace cast::worker
