#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <chrono>

#include "reference/server/http_server.h"

namespace cast::reference {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;

constexpr std::chrono::seconds kIdleTimeout{30};
constexpr std::uint64_t kBodyLimit = 1 << 20;  // bytes

// One HTTP/1.1 keep-alive connection: read a request, hand it to the
// routes, write the answer they give (possibly from another thread), repeat.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(beast::tcp_stream stream, HttpRoutes& routes) : stream_(std::move(stream)), routes_(routes) {}

  void read() {
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    stream_.expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

 private:
  void on_read(beast::error_code ec) {
    if (ec) {
      return close();
    }
    auto request = parser_->release();
    keep_alive_ = request.keep_alive();
    version_ = request.version();
    if (beast::websocket::is_upgrade(request)) {
      return upgrade(request);
    }
    routes_.handle(std::move(request), [self = shared_from_this()](HttpResponseMessage response) {
      auto executor = self->stream_.get_executor();
      net::post(executor, [self = std::move(self), response = std::move(response)]() mutable {
        self->write(std::move(response));
      });
    });
  }

  void upgrade(HttpRequestMessage& request) {
    stream_.expires_never();
    auto refusal = routes_.upgrade(request, stream_);
    if (refusal) {
      keep_alive_ = false;
      write(std::move(*refusal));
    }
  }

  void write(HttpResponseMessage response) {
    auto message = std::make_shared<HttpResponseMessage>(std::move(response));
    message->version(version_);
    message->keep_alive(keep_alive_);
    message->prepare_payload();
    stream_.expires_after(kIdleTimeout);
    http::async_write(stream_, *message, [self = shared_from_this(), message](beast::error_code ec, std::size_t) {
      if (ec || !message->keep_alive()) {
        return self->close();
      }
      self->read();
    });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  HttpRoutes& routes_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_{false};
  unsigned version_{11};
};

}  // namespace

void serve_http(beast::tcp_stream stream, HttpRoutes& routes) {
  std::make_shared<HttpSession>(std::move(stream), routes)->read();
}

}  // namespace cast::reference
