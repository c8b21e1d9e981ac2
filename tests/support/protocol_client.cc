#include "tests/support/protocol_client.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "common/net/http_client.h"
#include "common/net/url.h"

namespace cast::test {

namespace beast = boost::beast;
namespace asio = boost::asio;
namespace websocket = beast::websocket;

struct WsClient::State {
  asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  beast::flat_buffer buffer;
  std::vector<json> seen;
  bool open{false};
  // A read that timed out stays pending (cancelling would fail the stream
  // for good); the next read() waits on it again.
  bool read_pending{false};
  bool read_done{false};
  beast::error_code read_ec;
};

namespace {

// Runs the io_context until `done` or the deadline; false on timeout.
bool run_until(asio::io_context& ioc, const bool& done, std::chrono::milliseconds timeout) {
  ioc.restart();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done && std::chrono::steady_clock::now() < deadline) {
    ioc.run_one_for(deadline - std::chrono::steady_clock::now());
  }
  return done;
}

std::string ws_target(const Url& url, const std::string& token, TokenPlacement placement) {
  if (placement != TokenPlacement::query || token.empty()) return url.target;
  return url.target + (url.target.find('?') == std::string::npos ? "?" : "&") + "token=" + url_encode(token);
}

// Opens TCP and performs the upgrade; on refusal throws UpgradeRefused.
void open_ws(WsClient::State& s, const std::string& ws_url, const std::string& token, TokenPlacement placement) {
  auto url = parse_url(ws_url);
  asio::ip::tcp::resolver resolver{s.ioc};
  auto& tcp = beast::get_lowest_layer(s.ws);
  tcp.expires_after(10s);
  tcp.connect(resolver.resolve(url.host, std::to_string(url.port)));
  tcp.expires_never();
  s.ws.set_option(websocket::stream_base::decorator([token, placement](websocket::request_type& req) {
    if (!token.empty() && placement == TokenPlacement::header)
      req.set(beast::http::field::authorization, "Bearer " + token);
  }));
  s.ws.read_message_max(4 * 1024 * 1024);
  websocket::response_type res;
  beast::error_code ec;
  bool done = false;
  s.ws.async_handshake(res, url.host_port(), ws_target(url, token, placement), [&](beast::error_code e) {
    ec = e;
    done = true;
  });
  if (!run_until(s.ioc, done, 10s)) throw std::runtime_error("WebSocket upgrade to " + ws_url + " timed out");
  if (ec == websocket::error::upgrade_declined) {
    throw UpgradeRefused(static_cast<int>(res.result_int()),
                         "upgrade to " + ws_url + " refused with HTTP " + std::to_string(res.result_int()));
  }
  if (ec) throw std::runtime_error("WebSocket upgrade to " + ws_url + ": " + ec.message());
  s.open = true;
}

json parse_frame(const std::string& text) {
  auto parsed = json::parse(text, nullptr, false);
  return parsed.is_discarded() ? json(text) : parsed;
}

}  // namespace

std::string issue_token(const std::string& auth_url, const TokenRequest& r) {
  json body{{"user_id", r.user_id}, {"tenant_id", r.tenant_id}, {"email", r.email}, {"ttl_s", r.ttl_s}};
  if (!r.run_id.empty()) body["run_id"] = r.run_id;
  HttpRequest req{"POST", auth_url + "/auth/token", body.dump(), {{"Content-Type", "application/json"}}};
  auto res = http_request(req);
  if (res.status != 200) {
    throw std::runtime_error("token for " + r.user_id + " from " + auth_url + ": HTTP " + std::to_string(res.status) +
                             " " + res.body);
  }
  return json::parse(res.body).at("access_token").get<std::string>();
}

WsClient::WsClient(std::unique_ptr<State> state) : state_(std::move(state)) {}
WsClient::~WsClient() { drop(); }

std::unique_ptr<WsClient> WsClient::connect(const std::string& ws_url, const std::string& token,
                                            TokenPlacement placement) {
  auto state = std::make_unique<State>();
  open_ws(*state, ws_url, token, placement);
  return std::unique_ptr<WsClient>(new WsClient(std::move(state)));
}

int WsClient::upgrade_status(const std::string& ws_url, const std::string& token, TokenPlacement placement) {
  try {
    connect(ws_url, token, placement)->close();
    return 101;
  } catch (const UpgradeRefused& refused) {
    return refused.status();
  }
}

void WsClient::send(const json& message) { send_text(message.dump()); }

void WsClient::send_text(const std::string& text) {
  state_->ws.text(true);
  beast::error_code ec;
  bool done = false;
  state_->ws.async_write(asio::buffer(text), [&](beast::error_code e, std::size_t) {
    ec = e;
    done = true;
  });
  if (!run_until(state_->ioc, done, 10s) || ec) {
    state_->open = false;
    throw std::runtime_error("WebSocket write failed: " + (ec ? ec.message() : std::string{"timeout"}));
  }
}

std::optional<json> WsClient::read(std::chrono::milliseconds timeout) {
  auto& s = *state_;
  if (!s.open) throw std::runtime_error("WebSocket read on a closed connection");
  if (!s.read_pending) {
    s.read_pending = true;
    s.read_done = false;
    s.ws.async_read(s.buffer, [state = state_.get()](beast::error_code e, std::size_t) {
      state->read_ec = e;
      state->read_done = true;
    });
  }
  if (!run_until(s.ioc, s.read_done, timeout)) return std::nullopt;
  s.read_pending = false;
  if (s.read_ec) {
    s.open = false;
    throw std::runtime_error("WebSocket closed: " + s.read_ec.message());
  }
  auto frame = parse_frame(beast::buffers_to_string(s.buffer.data()));
  s.buffer.consume(s.buffer.size());
  s.seen.push_back(frame);
  return frame;
}

json WsClient::read_until(const std::function<bool(const json&)>& match, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto frame = read(std::max(left, std::chrono::milliseconds{1}));
    if (frame && match(*frame)) return *frame;
  }
  throw std::runtime_error("no matching WebSocket frame within " + std::to_string(timeout.count()) + " ms");
}

json WsClient::read_reply(const std::string& request_id, std::chrono::milliseconds timeout) {
  return read_until([&](const json& f) { return f.is_object() && f.value("request_id", "") == request_id; }, timeout);
}

const std::vector<json>& WsClient::seen() const { return state_->seen; }
bool WsClient::is_open() const { return state_->open; }

void WsClient::close() {
  if (!state_->open) return;
  bool done = false;
  state_->ws.async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
  run_until(state_->ioc, done, 5s);
  drop();
}

void WsClient::drop() {
  state_->open = false;
  beast::error_code ignored;
  beast::get_lowest_layer(state_->ws).socket().close(ignored);
}

json WsClient::start_agent(const json& context, const std::string& request_id, std::chrono::milliseconds timeout) {
  send({{"type", "start_agent"}, {"request_id", request_id}, {"context", context}});
  return read_reply(request_id, timeout);
}

namespace {

RestAnswer rest_call(const std::string& method, const std::string& url, const std::string& token,
                     const std::string& body) {
  HttpRequest req{method, url, body, {}};
  if (!token.empty()) req.headers["Authorization"] = "Bearer " + token;
  if (!body.empty()) req.headers["Content-Type"] = "application/json";
  auto res = http_request(req);
  RestAnswer out{res.status, nullptr, res.body};
  auto parsed = json::parse(res.body, nullptr, false);
  if (!parsed.is_discarded()) out.body = parsed;
  return out;
}

}  // namespace

RestAnswer rest_get_state(const std::string& backend_url, const std::string& agent_id, const std::string& token) {
  return rest_call("GET", backend_url + "/api/agents/" + url_encode(agent_id) + "/state", token, "");
}

RestAnswer rest_put_state(const std::string& backend_url, const std::string& agent_id, const std::string& token,
                          const json& body) {
  return rest_call("PUT", backend_url + "/api/agents/" + url_encode(agent_id) + "/state", token, body.dump());
}

}  // namespace cast::test
