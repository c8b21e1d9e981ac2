#pragma once

// A tiny, blocking Beast server for worker tests: HTTP and WebSocket on one
// loopback port, plain or TLS, a thread per connection. The test supplies
// the routes, so it can speak any dialect, and how long a connection lives;
// it records which connection carried which request. Header-only: only the
// worker and probe integration tests include it.

#include <sys/socket.h>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cast::test {

struct TinyAnswer {
  int status{200};
  std::string body;
};

struct TinyRoutes {
  // Plain HTTP requests: method, target, Authorization header, body.
  std::function<TinyAnswer(const std::string&, const std::string&, const std::string&, const std::string&)> http;
  // Upgrade target -> true to accept the WebSocket.
  std::function<bool(const std::string&)> accept_upgrade = [](const std::string&) { return true; };
  // One incoming WebSocket message -> the messages to send back.
  std::function<std::vector<std::string>(const std::string&)> frame;
  // Requests one connection serves before the server closes it, and
  // whether its last answer says so (Connection: close) or the server
  // closes it silently after a keep-alive answer, as an idle timeout does.
  int answers_per_connection{1};
  bool announce_close{true};
  // WebSocket messages one connection answers; the one after them is not
  // answered, the server closes the WebSocket instead (0: no limit).
  int frames_per_connection{0};
};

// One plain HTTP request as the server read it, numbered by its connection (from 1).
struct TinyRequest {
  int connection{0};
  std::string method;
  std::string target;
  std::string authorization;
};

class TinyPlatform {
 public:
  explicit TinyPlatform(TinyRoutes routes, boost::asio::ssl::context* tls = nullptr)
      : routes_(std::move(routes)), tls_(tls), acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { accept_loop(); });
  }

  ~TinyPlatform() {
    // shutdown wakes the blocking accept (it fails, and the loop ends); the
    // acceptor is closed only once that thread is gone, as closing it under
    // an accept in progress on another thread is a data race (TSan saw it).
    boost::system::error_code ignored;
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    accept_thread_.join();
    acceptor_.close(ignored);
    {
      std::lock_guard lock(mutex_);
      for (auto* socket : open_) {
        ::shutdown(socket->native_handle(), SHUT_RDWR);
      }
    }
    for (auto& connection : connections_) {
      connection.join();
    }
  }

  std::string http_url() const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
  }
  std::string ws_url() const {
    return std::string(tls_ ? "wss" : "ws") + "://127.0.0.1:" + std::to_string(port_) + "/ws";
  }
  int tls_handshakes_failed() const { return tls_failures_; }
  int connections_accepted() const { return accepted_; }
  std::vector<TinyRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void accept_loop() {
    for (;;) {
      boost::asio::ip::tcp::socket socket(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec) {
        return;
      }
      connections_.emplace_back([this, s = std::move(socket)]() mutable { serve(std::move(s)); });
    }
  }

  void serve(boost::asio::ip::tcp::socket socket) {
    {
      std::lock_guard lock(mutex_);
      open_.push_back(&socket);
    }
    try {
      if (tls_) {
        boost::beast::ssl_stream<boost::asio::ip::tcp::socket&> stream(socket, *tls_);
        boost::system::error_code ec;
        stream.handshake(boost::asio::ssl::stream_base::server, ec);
        if (ec) {
          ++tls_failures_;
        } else {
          converse(stream);
        }
      } else {
        converse(socket);
      }
    } catch (const std::exception&) {
      // A client that went away; nothing to serve.
    }
    std::lock_guard lock(mutex_);
    open_.remove(&socket);
  }

  template <class Stream>
  void converse(Stream& stream) {
    namespace http = boost::beast::http;
    int connection = ++accepted_;
    boost::beast::flat_buffer buffer;
    for (int served = 1;; ++served) {
      http::request<http::string_body> request;
      http::read(stream, buffer, request);
      if (boost::beast::websocket::is_upgrade(request)) {
        return talk(stream, request);
      }
      std::string authorization(request[http::field::authorization]);
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(
            {connection, std::string(request.method_string()), std::string(request.target()), authorization});
      }
      auto answer = routes_.http(std::string(request.method_string()), std::string(request.target()), authorization,
                                 request.body());
      bool last = served >= routes_.answers_per_connection || !request.keep_alive();
      http::response<http::string_body> response{static_cast<http::status>(answer.status), 11};
      response.set(http::field::content_type, "application/json");
      response.body() = answer.body;
      response.keep_alive(request.keep_alive() && (!last || !routes_.announce_close));
      response.prepare_payload();
      http::write(stream, response);
      if (last) {
        return;
      }
    }
  }

  template <class Stream>
  void talk(Stream& stream, const boost::beast::http::request<boost::beast::http::string_body>& request) {
    namespace http = boost::beast::http;
    if (!routes_.accept_upgrade(std::string(request.target()))) {
      http::response<http::string_body> refusal{http::status::unauthorized, 11};
      refusal.body() = R"({"error":"unauthorized"})";
      refusal.prepare_payload();
      http::write(stream, refusal);
      return;
    }
    boost::beast::websocket::stream<Stream&> ws(stream);
    ws.accept(request);
    for (int answered = 0;; ++answered) {
      boost::beast::flat_buffer frame;
      ws.read(frame);
      if (routes_.frames_per_connection > 0 && answered == routes_.frames_per_connection) {
        ws.close(boost::beast::websocket::close_code::going_away);
        return;
      }
      for (const auto& reply : routes_.frame(boost::beast::buffers_to_string(frame.data()))) {
        ws.text(true);
        ws.write(boost::asio::buffer(reply));
      }
    }
  }

  TinyRoutes routes_;
  boost::asio::ssl::context* tls_;
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_{0};
  std::thread accept_thread_;
  std::vector<std::thread> connections_;
  mutable std::mutex mutex_;
  std::list<boost::asio::ip::tcp::socket*> open_;
  std::vector<TinyRequest> requests_;
  std::atomic<int> tls_failures_{0};
  std::atomic<int> accepted_{0};
};

}  // namespace cast::test
