#pragma once

// Small blocking clients that speak protocol.md, for tests and the smoke
// driver. Every wait has a deadline: a test never hangs on a silent server.

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace cast::test {

using namespace std::chrono_literals;
using nlohmann::json;

struct TokenRequest {
  std::string user_id;
  std::string tenant_id;
  std::string email;
  std::string run_id;
  int ttl_s{900};  // seconds
};

// POST /auth/token; throws std::runtime_error with status and body unless 200.
std::string issue_token(const std::string& auth_url, const TokenRequest& request);

// Thrown by WsClient::connect when the server answers the upgrade with HTTP.
class UpgradeRefused : public std::runtime_error {
 public:
  UpgradeRefused(int status, const std::string& what) : std::runtime_error(what), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

enum class TokenPlacement { header, query };

class WsClient {
 public:
  // Opens ws_url (ws:// only) with the token as Bearer header or ?token=.
  // An empty token sends none.
  static std::unique_ptr<WsClient> connect(const std::string& ws_url, const std::string& token,
                                           TokenPlacement placement = TokenPlacement::header);
  // 101 when the upgrade succeeded (the connection is closed again), else the HTTP status.
  static int upgrade_status(const std::string& ws_url, const std::string& token,
                            TokenPlacement placement = TokenPlacement::header);
  ~WsClient();

  void send(const json& message);
  void send_text(const std::string& text);
  // The next frame as JSON (a non-JSON frame is returned as a string value);
  // nullopt when nothing arrived in time; throws when the connection closed.
  std::optional<json> read(std::chrono::milliseconds timeout = 5s);
  // Reads until `match` accepts a frame; frames skipped on the way stay in seen().
  json read_until(const std::function<bool(const json&)>& match, std::chrono::milliseconds timeout = 10s);
  // The answer carrying this request id.
  json read_reply(const std::string& request_id, std::chrono::milliseconds timeout = 10s);
  // Every frame received so far, in order.
  const std::vector<json>& seen() const;
  // True while no close or error has been seen.
  bool is_open() const;
  void close();
  // Closes the TCP socket without a WebSocket close: a client that vanished.
  void drop();

  // start_agent with `context`; returns the agent_started frame.
  json start_agent(const json& context, const std::string& request_id, std::chrono::milliseconds timeout = 20s);

  struct State;

 private:
  explicit WsClient(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

struct RestAnswer {
  int status{0};
  json body;  // null when the body is empty or not JSON
  std::string raw;
};

RestAnswer rest_get_state(const std::string& backend_url, const std::string& agent_id, const std::string& token);
RestAnswer rest_put_state(const std::string& backend_url, const std::string& agent_id, const std::string& token,
                          const json& body);

}  // namespace cast::test
