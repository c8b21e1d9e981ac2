#pragma once

// The backend's HTTP surface: /health, /metrics, the REST state API and the
// /ws upgrade, each refusing a bad token before anything else happens.

#include "reference/backend/agent_platform.h"
#include "reference/server/http_server.h"

namespace cast::reference {

class BackendRoutes : public HttpRoutes {
 public:
  explicit BackendRoutes(AgentPlatform& platform) : platform_(platform) {}

  void handle(HttpRequestMessage request, Respond respond) override;
  std::optional<HttpResponseMessage> upgrade(HttpRequestMessage& request, boost::beast::tcp_stream& stream) override;

 private:
  void serve_state(HttpRequestMessage& request, const std::string& agent_id, Respond respond);
  std::optional<Identity> authenticate(const HttpRequestMessage& request, std::string& refusal);

  AgentPlatform& platform_;
};

}  // namespace cast::reference
