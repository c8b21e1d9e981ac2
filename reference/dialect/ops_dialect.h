#pragma once

// The "ops" dialect of the reference platform, as translations to and from
// protocol v1 (which the platform keeps speaking inside). Pure functions.

#include <string>
#include <string_view>

namespace cast::reference {

enum class Dialect { v1, ops };

namespace ops {

inline constexpr std::string_view kSessionPath = "/v2/sessions";
inline constexpr std::string_view kAgentPrefix = "/v2/agents/";
inline constexpr std::string_view kTokenParameter = "access_token";

// {"subject","org","mail","labels":{"run"}} -> the v1 token request body;
// the text unchanged when it is not such an object (v1 then refuses it).
std::string token_request_to_v1(const std::string& body);
// The v1 token answer -> {"session":{"token","expires_in"}}.
std::string token_answer_from_v1(const std::string& body);

// A client frame {"op","rid","payload"} -> its v1 frame; the text
// unchanged when it is not an ops frame (v1 then refuses it).
std::string client_frame_to_v1(const std::string& text);
// A v1 server frame -> {"op","rid","data"}.
std::string server_frame_from_v1(const std::string& text);

// A v1 REST body (state, or {"error"}) -> the dialect's {"op","data"}.
std::string rest_body_from_v1(int status, const std::string& body);

}  // namespace ops
}  // namespace cast::reference
