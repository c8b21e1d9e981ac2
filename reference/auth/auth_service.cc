#include "reference/auth/auth_service.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <tuple>
#include <variant>

#include "common/crypto/encoding.h"
#include "common/crypto/hmac.h"
#include "common/jwt/jwt.h"

namespace cast::reference {
namespace {

using nlohmann::json;

constexpr int kDefaultTtl = 900;  // seconds

struct TokenRequest {
  jwt::Claims claims;
  int ttl_s{kDefaultTtl};
};

// The request body as protocol.md has it, or the reason it is not.
std::variant<TokenRequest, std::string> read_token_request(const std::string& body, int max_ttl_s) {
  auto parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return std::string("body is not a JSON object");
  }
  TokenRequest request;
  for (auto [name, target, required] :
       {std::tuple{"user_id", &request.claims.sub, true}, std::tuple{"tenant_id", &request.claims.tid, true},
        std::tuple{"email", &request.claims.email, false}, std::tuple{"run_id", &request.claims.rid, false}}) {
    auto it = parsed.find(name);
    if (it == parsed.end() ? required : !it->is_string()) {
      return std::string("'") + name + "' must be a string" + (required ? " and is required" : "");
    }
    if (it != parsed.end()) {
      *target = it->get<std::string>();
    }
  }
  if (request.claims.sub.empty() || request.claims.tid.empty()) {
    return std::string("'user_id' and 'tenant_id' must not be empty");
  }
  if (auto ttl = parsed.find("ttl_s"); ttl != parsed.end()) {
    if (!ttl->is_number_integer() || ttl->get<long long>() <= 0 || ttl->get<long long>() > max_ttl_s) {
      return "'ttl_s' must be an integer in [1, " + std::to_string(max_ttl_s) + "]";
    }
    request.ttl_s = ttl->get<int>();
  }
  return request;
}

}  // namespace

void AuthRoutes::handle(HttpRequestMessage request, Respond respond) {
  auto target = std::string(request.target());
  if (request.method() == http::verb::get && target == "/health") {
    return respond(json_response(http::status::ok, R"({"status":"ok"})"));
  }
  if (options_.dialect == Dialect::ops && target == ops::kSessionPath && request.method() == http::verb::post) {
    auto answer = issue_token(ops::token_request_to_v1(request.body()));
    if (answer.result() == http::status::ok) {
      answer.body() = ops::token_answer_from_v1(answer.body());
    }
    return respond(std::move(answer));
  }
  if (target == "/auth/token") {
    if (request.method() != http::verb::post) {
      return respond(json_error(http::status::method_not_allowed, "use POST"));
    }
    return respond(issue_token(request.body()));
  }
  respond(json_error(http::status::not_found, "no such endpoint: " + target));
}

HttpResponseMessage AuthRoutes::issue_token(const std::string& body) const {
  auto read = read_token_request(body, options_.max_ttl_s);
  if (auto* problem = std::get_if<std::string>(&read)) {
    return json_error(http::status::bad_request, *problem);
  }
  auto& request = std::get<TokenRequest>(read);
  request.claims.iat = jwt::unix_now();
  request.claims.exp = request.claims.iat + request.ttl_s;
  request.claims.jti = hex_encode(random_bytes(16));
  json answer{{"access_token", jwt::sign_jwt(request.claims, options_.secret, options_.kid)},
              {"token_type", "Bearer"},
              {"expires_in", request.ttl_s}};
  return json_response(http::status::ok, answer.dump());
}

int run_auth(const AuthOptions& options) {
  AuthRoutes routes(options);
  std::unique_ptr<HttpServer> server;
  try {
    server = std::make_unique<HttpServer>(options.server, routes);
  } catch (const std::exception& e) {
    spdlog::error("auth: {}", e.what());
    return 1;
  }
  spdlog::info("auth listening on http://{}:{}", options.server.host, server->port());
  server->run();
  spdlog::info("auth stopped");
  return 0;
}

}  // namespace cast::reference
