#include "reference/backend/backend_routes.h"

#include <strings.h>

#include <nlohmann/json.hpp>

#include "common/net/url.h"
#include "reference/backend/ws_session.h"

namespace cast::reference {
namespace {

using nlohmann::json;

constexpr const char* kLeakHeader = "X-Last-Caller";  // header_leak

struct Target {
  std::string path;
  std::map<std::string, std::string> query;
};

std::optional<Target> split_target(const HttpRequestMessage& request) {
  try {
    auto url = parse_url("http://127.0.0.1" + std::string(request.target()));
    return Target{url.path, url.query};
  } catch (const UrlError&) {
    return std::nullopt;
  }
}

// "/api/agents/{agent_id}/state" -> agent_id; nullopt for any other path.
std::optional<std::string> state_path_agent(const std::string& path) {
  static const std::string prefix = "/api/agents/";
  static const std::string suffix = "/state";
  if (path.size() <= prefix.size() + suffix.size() || path.rfind(prefix, 0) != 0 ||
      path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return std::nullopt;
  }
  auto id = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  if (id.find('/') != std::string::npos) {
    return std::nullopt;
  }
  return url_decode(id);
}

// "/v2/agents/{agent_id}" (the ops dialect) -> agent_id.
std::optional<std::string> ops_agent(const std::string& path) {
  if (path.rfind(ops::kAgentPrefix, 0) != 0 || path.size() == ops::kAgentPrefix.size() ||
      path.find('/', ops::kAgentPrefix.size()) != std::string::npos) {
    return std::nullopt;
  }
  return url_decode(path.substr(ops::kAgentPrefix.size()));
}

std::string bearer_token(const HttpRequestMessage& request, const Target& target, Dialect dialect) {
  auto header = std::string(request[http::field::authorization]);
  if (header.size() > 7 && strncasecmp(header.c_str(), "Bearer ", 7) == 0) {
    return header.substr(7);
  }
  auto query = target.query.find(dialect == Dialect::ops ? std::string(ops::kTokenParameter) : "token");
  return query == target.query.end() ? std::string{} : query->second;
}

HttpResponseMessage unauthorized(const std::string& refusal) {
  auto response = json_error(http::status::unauthorized, "unauthorized: " + refusal);
  response.set(http::field::www_authenticate, "Bearer");
  return response;
}

}  // namespace

std::optional<Identity> BackendRoutes::authenticate(const HttpRequestMessage& request, std::string& refusal) {
  auto target = split_target(request);
  auto verified = platform_.authenticate(target ? bearer_token(request, *target, platform_.dialect()) : std::string{});
  if (!verified) {
    refusal = std::string(jwt::to_string(verified.refusal));
    return std::nullopt;
  }
  const auto& claims = *verified.claims;
  return Identity{claims.sub, claims.tid, claims.email, claims.rid};
}

void BackendRoutes::handle(HttpRequestMessage request, Respond respond) {
  auto target = split_target(request);
  if (!target) {
    return respond(json_error(http::status::bad_request, "unparseable request target"));
  }
  bool get = request.method() == http::verb::get;
  if (get && target->path == "/health") {
    auto body = json{{"status", "ok"}, {"connections", platform_.connections().size()}};
    return respond(json_response(http::status::ok, body.dump()));
  }
  if (get && target->path == "/metrics") {
    auto response = json_response(http::status::ok, platform_.metrics().scrape());
    response.set(http::field::content_type, "text/plain; version=0.0.4");
    return respond(std::move(response));
  }
  if (platform_.dialect() == Dialect::ops) {
    if (auto agent_id = ops_agent(target->path)) {
      // PATCH is the dialect's PUT; answers are translated on the way out.
      if (request.method() == http::verb::patch) request.method(http::verb::put);
      return serve_state(request, *agent_id, [respond](HttpResponseMessage response) {
        response.body() = ops::rest_body_from_v1(response.result_int(), response.body());
        respond(std::move(response));
      });
    }
  } else if (auto agent_id = state_path_agent(target->path)) {
    return serve_state(request, *agent_id, std::move(respond));
  }
  respond(json_error(http::status::not_found, "no such endpoint: " + target->path));
}

void BackendRoutes::serve_state(HttpRequestMessage& request, const std::string& agent_id, Respond respond) {
  auto method = request.method();
  if (method != http::verb::get && method != http::verb::put) {
    return respond(json_error(http::status::method_not_allowed, "use GET or PUT"));
  }
  std::string refusal;
  auto who = authenticate(request, refusal);
  if (!who) {
    return respond(unauthorized(refusal));
  }
  auto done = [respond, leak = platform_.leaked_header(*who)](RestAnswer answer) {
    auto response = json_response(static_cast<http::status>(answer.status), std::move(answer.body));
    if (!leak.empty()) {
      response.set(kLeakHeader, leak);
    }
    respond(std::move(response));
  };
  if (method == http::verb::get) {
    return platform_.rest_get_state(*who, agent_id, done);
  }
  auto body = json::parse(request.body(), nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("patch") || !body["patch"].is_object()) {
    return respond(json_error(http::status::bad_request, "body must be {\"patch\":{...}}"));
  }
  platform_.rest_put_state(*who, agent_id, std::move(body["patch"]), done);
}

std::optional<HttpResponseMessage> BackendRoutes::upgrade(HttpRequestMessage& request,
                                                          boost::beast::tcp_stream& stream) {
  auto target = split_target(request);
  if (!target || target->path != "/ws") {
    return json_error(http::status::not_found, "WebSocket endpoint is /ws");
  }
  std::string refusal;
  auto who = authenticate(request, refusal);
  if (!who) {
    return unauthorized(refusal);
  }
  auto leak = platform_.leaked_header(*who);
  start_ws_session(std::move(stream), request, std::move(*who), platform_, leak.empty() ? "" : kLeakHeader, leak);
  return std::nullopt;
}

}  // namespace cast::reference
