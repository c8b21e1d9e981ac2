#include "reference/dialect/ops_dialect.h"

#include <array>
#include <nlohmann/json.hpp>
#include <utility>

namespace cast::reference {
namespace {

using nlohmann::json;

// v1 message type <-> ops operation, both directions.
constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kOps{{
    {"start_agent", "agent.start"},
    {"user_message", "agent.say"},
    {"get_state", "agent.inspect"},
    {"update_state", "agent.patch"},
    {"agent_started", "agent.ready"},
    {"agent_response", "agent.said"},
    {"agent_state", "agent.snapshot"},
    {"ack", "agent.patched"},
    {"error", "fault"},
    {"agent_status", "agent.status"},
}};

// v1 field <-> ops field under payload / data.
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kFields{{
    {"agent_id", "agent"},
    {"user_id", "owner"},
    {"tenant_id", "org"},
    {"content", "text"},
    {"context", "memory"},
}};

template <std::size_t N>
std::string_view translate(const std::array<std::pair<std::string_view, std::string_view>, N>& table,
                           std::string_view name, bool to_ops) {
  for (const auto& [v1, ops] : table) {
    if ((to_ops ? v1 : ops) == name) {
      return to_ops ? ops : v1;
    }
  }
  return name;
}

json parse(const std::string& text) { return json::parse(text, nullptr, false, true); }

std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

namespace ops {

std::string token_request_to_v1(const std::string& body) {
  auto request = parse(body);
  if (!request.is_object()) {
    return body;
  }
  json v1 = json::object();
  for (auto [from, to] : {std::pair{"subject", "user_id"}, std::pair{"org", "tenant_id"}, std::pair{"mail", "email"}}) {
    if (request.contains(from)) v1[to] = request[from];
  }
  if (request.contains("labels") && request["labels"].is_object() && request["labels"].contains("run")) {
    v1["run_id"] = request["labels"]["run"];
  }
  if (request.contains("ttl_s")) v1["ttl_s"] = request["ttl_s"];
  return dump(v1);
}

std::string token_answer_from_v1(const std::string& body) {
  auto answer = parse(body);
  if (!answer.is_object() || !answer.contains("access_token")) {
    return body;
  }
  return dump(json{{"session", {{"token", answer["access_token"]}, {"expires_in", answer.value("expires_in", 0)}}}});
}

std::string client_frame_to_v1(const std::string& text) {
  auto frame = parse(text);
  if (!frame.is_object() || !frame.contains("op") || !frame["op"].is_string()) {
    return text;
  }
  json v1 = json::object();
  v1["type"] = translate(kOps, frame["op"].get<std::string>(), false);
  if (frame.contains("rid")) v1["request_id"] = frame["rid"];
  if (frame.contains("payload") && frame["payload"].is_object()) {
    for (const auto& [key, value] : frame["payload"].items()) {
      v1[std::string(translate(kFields, key, false))] = value;
    }
  }
  return dump(v1);
}

std::string server_frame_from_v1(const std::string& text) {
  auto frame = parse(text);
  if (!frame.is_object() || !frame.contains("type") || !frame["type"].is_string()) {
    return text;
  }
  json out{{"op", translate(kOps, frame["type"].get<std::string>(), true)}, {"data", json::object()}};
  for (const auto& [key, value] : frame.items()) {
    if (key == "type") continue;
    if (key == "request_id") {
      out["rid"] = value;
    } else {
      out["data"][std::string(translate(kFields, key, true))] = value;
    }
  }
  return dump(out);
}

std::string rest_body_from_v1(int status, const std::string& body) {
  auto answer = parse(body);
  if (!answer.is_object()) {
    return body;
  }
  if (status < 200 || status >= 300) {
    auto code = status == 404 ? "not_found" : status == 401 ? "unauthorized" : "bad_request";
    return dump(json{{"op", "fault"}, {"data", {{"code", code}, {"message", answer.value("error", "")}}}});
  }
  answer["type"] = "agent_state";
  return server_frame_from_v1(dump(answer));
}

}  // namespace ops
}  // namespace cast::reference
