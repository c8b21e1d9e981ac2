#include "reference/backend/frames.h"

#include <array>
#include <optional>

namespace cast::reference {
namespace {

using nlohmann::json;

constexpr std::array<std::pair<std::string_view, RequestType>, 4> kTypes{{
    {"start_agent", RequestType::start_agent},
    {"user_message", RequestType::user_message},
    {"get_state", RequestType::get_state},
    {"update_state", RequestType::update_state},
}};

// Reads a required member of the given kind; the problem text otherwise.
std::optional<std::string> take(const json& frame, const char* name, json::value_t kind, json& out) {
  auto it = frame.find(name);
  if (it == frame.end()) {
    return std::string("missing field '") + name + "'";
  }
  if (it->type() != kind) {
    return std::string("field '") + name + "' has the wrong type";
  }
  out = *it;
  return std::nullopt;
}

std::optional<std::string> read_fields(const json& frame, ClientRequest& request) {
  json value;
  std::optional<std::string> problem;
  switch (request.type) {
    case RequestType::start_agent: return take(frame, "context", json::value_t::object, request.context);
    case RequestType::update_state:
      if ((problem = take(frame, "patch", json::value_t::object, request.patch))) {
        return problem;
      }
      break;
    case RequestType::user_message:
      if ((problem = take(frame, "content", json::value_t::string, value))) {
        return problem;
      }
      request.content = value.get<std::string>();
      break;
    case RequestType::get_state: break;
  }
  if ((problem = take(frame, "agent_id", json::value_t::string, value))) {
    return problem;
  }
  request.agent_id = value.get<std::string>();
  return std::nullopt;
}

std::optional<RequestType> request_type(const std::string& name) {
  for (const auto& [known, type] : kTypes) {
    if (known == name) {
      return type;
    }
  }
  return std::nullopt;
}

}  // namespace

std::variant<ClientRequest, FrameProblem> parse_client_frame(const std::string& text, std::size_t max_bytes) {
  auto frame = json::parse(text, nullptr, false);
  ClientRequest request;
  // The request id is read first so that even a refused frame's error names it.
  auto rid = frame.is_object() ? frame.find("request_id") : frame.end();
  bool has_rid = frame.is_object() && rid != frame.end();
  if (has_rid && rid->is_string()) {
    request.request_id = rid->get<std::string>();
  }
  if (text.size() > max_bytes) {
    return FrameProblem{
        "frame of " + std::to_string(text.size()) + " bytes is over the " + std::to_string(max_bytes) + "-byte limit",
        request.request_id};
  }
  if (frame.is_discarded() || !frame.is_object()) {
    return FrameProblem{"frame is not a JSON object", ""};
  }
  if (has_rid && !rid->is_string()) {
    return FrameProblem{"field 'request_id' must be a string", ""};
  }
  auto type = frame.find("type");
  if (type == frame.end() || !type->is_string()) {
    return FrameProblem{"missing or non-string field 'type'", request.request_id};
  }
  auto known = request_type(type->get<std::string>());
  if (!known) {
    return FrameProblem{"unknown message type '" + type->get<std::string>() + "'", request.request_id};
  }
  request.type = *known;
  if (auto problem = read_fields(frame, request)) {
    return FrameProblem{*problem, request.request_id};
  }
  return request;
}

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_request: return "bad_request";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::unauthorized: return "unauthorized";
    case ErrorCode::overloaded: return "overloaded";
    case ErrorCode::internal: return "internal";
  }
  return "internal";
}

json with_request_id(json frame, const std::string& request_id) {
  if (!request_id.empty()) {
    frame["request_id"] = request_id;
  }
  return frame;
}

json error_frame(ErrorCode code, const std::string& message, const std::string& request_id) {
  return with_request_id({{"type", "error"}, {"code", to_string(code)}, {"message", message}}, request_id);
}

std::string to_text(const json& frame) { return frame.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string agent_reply(const std::string& content, const json& context, std::size_t max_digest) {
  auto digest = to_text(context);
  if (digest.size() > max_digest) {
    auto cut = max_digest;
    // Step back over UTF-8 continuation bytes so the cut leaves valid text.
    while (cut > 0 && (static_cast<unsigned char>(digest[cut]) & 0xC0) == 0x80) {
      --cut;
    }
    digest = digest.substr(0, cut) + "...";
  }
  return "You said: \"" + content + "\". I remember: " + digest;
}

}  // namespace cast::reference
