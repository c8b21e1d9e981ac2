#pragma once

// One client's WebSocket session on the backend. Beast types stay in the .cc.

#include <boost/beast/core/tcp_stream.hpp>

#include "reference/backend/agent_platform.h"
#include "reference/server/http_server.h"

namespace cast::reference {

// Takes over `stream`, completes the upgrade for `request` (with one more
// header field in the 101 answer when `header` is not empty) and serves
// the session until either side closes it.
void start_ws_session(boost::beast::tcp_stream stream, const HttpRequestMessage& request, Identity identity,
                      AgentPlatform& platform, const std::string& header = {}, const std::string& value = {});

}  // namespace cast::reference
