#pragma once

// The reference platform's HTTP/WebSocket front door: one acceptor dealing
// connections round-robin to an io_context per thread. Beast headers appear
// here on purpose; only the reference services include this file.

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace cast::reference {

namespace http = boost::beast::http;
using HttpRequestMessage = http::request<http::string_body>;
using HttpResponseMessage = http::response<http::string_body>;
// Sends the answer; callable once, from any thread.
using Respond = std::function<void(HttpResponseMessage)>;

class HttpRoutes {
 public:
  virtual ~HttpRoutes() = default;
  // Runs on the connection's event-loop thread and must not block.
  virtual void handle(HttpRequestMessage request, Respond respond) = 0;
  // A WebSocket upgrade: the refusal to send, or nullopt once `stream` has been taken over.
  virtual std::optional<HttpResponseMessage> upgrade(HttpRequestMessage& request, boost::beast::tcp_stream& stream);
};

HttpResponseMessage json_response(http::status status, std::string body);
HttpResponseMessage json_error(http::status status, const std::string& message);

struct ServerOptions {
  std::string host{"127.0.0.1"};
  std::uint16_t port{8000};  // 0: any free port (see HttpServer::port)
  int threads{0};            // event-loop threads; 0: one per core
};

class HttpServer {
 public:
  // Binds and listens; throws std::runtime_error naming host:port on failure.
  HttpServer(const ServerOptions& options, HttpRoutes& routes);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const;
  // Serves until SIGINT/SIGTERM or stop(); the calling thread is one of the loops.
  void run();
  void stop();

 private:
  struct Loops;
  std::unique_ptr<Loops> loops_;
};

// Starts serving one accepted connection (http_session.cc).
void serve_http(boost::beast::tcp_stream stream, HttpRoutes& routes);

}  // namespace cast::reference
