#pragma once

// The WebSocket messages of protocol.md: validating what clients send and
// building what the server answers. Pure functions, no I/O.

#include <nlohmann/json.hpp>
#include <string>
#include <variant>

namespace cast::reference {

enum class RequestType { start_agent, user_message, get_state, update_state };

struct ClientRequest {
  RequestType type{RequestType::start_agent};
  std::string request_id;  // empty when the client sent none
  std::string agent_id;    // user_message, get_state, update_state
  std::string content;     // user_message
  nlohmann::json context;  // start_agent: an object
  nlohmann::json patch;    // update_state: an object
};

// Why a frame was refused, answered with error code bad_request.
struct FrameProblem {
  std::string message;
  std::string request_id;  // when it could be read
};

std::variant<ClientRequest, FrameProblem> parse_client_frame(const std::string& text, std::size_t max_bytes);

// Error codes of protocol.md.
enum class ErrorCode { bad_request, not_found, unauthorized, overloaded, internal };
std::string_view to_string(ErrorCode code);

nlohmann::json error_frame(ErrorCode code, const std::string& message, const std::string& request_id);
// Adds "request_id" when there is one.
nlohmann::json with_request_id(nlohmann::json frame, const std::string& request_id);
// JSON text that never throws on invalid UTF-8 (it is replaced).
std::string to_text(const nlohmann::json& frame);

// The agent's reply: the user's message quoted, and the context it holds as
// compact JSON (cut to `max_digest` bytes on a UTF-8 boundary), so that a
// context mix-up is visible on the wire.
std::string agent_reply(const std::string& content, const nlohmann::json& context, std::size_t max_digest = 4096);

}  // namespace cast::reference
