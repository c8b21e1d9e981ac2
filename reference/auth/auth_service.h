#pragma once

// `cast-reference auth`: issues the HS256 tokens the backend accepts.

#include <string>

#include "reference/dialect/ops_dialect.h"
#include "reference/server/http_server.h"

namespace cast::reference {

struct AuthOptions {
  ServerOptions server{.host = "127.0.0.1", .port = 8001, .threads = 0};
  std::string secret;
  std::string kid;               // put in the token header when not empty
  int max_ttl_s{86'400};         // seconds; longer requests are refused
  Dialect dialect{Dialect::v1};  // ops: sessions at /v2/sessions instead of /auth/token
};

class AuthRoutes : public HttpRoutes {
 public:
  explicit AuthRoutes(AuthOptions options) : options_(std::move(options)) {}
  void handle(HttpRequestMessage request, Respond respond) override;

 private:
  HttpResponseMessage issue_token(const std::string& body) const;

  AuthOptions options_;
};

// Serves until SIGINT/SIGTERM; returns the process exit code (1: cannot bind).
int run_auth(const AuthOptions& options);

}  // namespace cast::reference
