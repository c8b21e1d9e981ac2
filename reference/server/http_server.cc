#include "reference/server/http_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

namespace cast::reference {

namespace net = boost::asio;
using tcp = net::ip::tcp;

std::optional<HttpResponseMessage> HttpRoutes::upgrade(HttpRequestMessage&, boost::beast::tcp_stream&) {
  return json_error(http::status::not_found, "no WebSocket endpoint here");
}

HttpResponseMessage json_response(http::status status, std::string body) {
  HttpResponseMessage response{status, 11};
  response.set(http::field::content_type, "application/json");
  response.body() = std::move(body);
  return response;
}

HttpResponseMessage json_error(http::status status, const std::string& message) {
  // Messages are ours or a parser's, but escape them properly all the same.
  std::string escaped;
  for (char c : message) {
    if (c == '"' || c == '\\') {
      escaped += '\\';
    }
    escaped += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
  }
  return json_response(status, "{\"error\":\"" + escaped + "\"}");
}

struct HttpServer::Loops {
  std::vector<std::unique_ptr<net::io_context>> contexts;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<net::signal_set> signals;
  HttpRoutes* routes{nullptr};
  std::size_t next{0};

  void accept_next() {
    auto& target = *contexts[next++ % contexts.size()];
    acceptor->async_accept(target, [this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted) {
        return;
      }
      if (!ec) {
        socket.set_option(tcp::no_delay(true), ec);
        serve_http(boost::beast::tcp_stream(std::move(socket)), *routes);
      } else {
        spdlog::warn("accept failed: {}", ec.message());
      }
      accept_next();
    });
  }

  void stop_all() {
    boost::system::error_code ignored;
    acceptor->close(ignored);
    for (auto& context : contexts) {
      context->stop();
    }
  }
};

namespace {

// Exceptions stay on their loop's thread: log and keep serving.
void run_loop(net::io_context& context) {
  for (;;) {
    try {
      context.run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("event loop: unhandled exception: {}", e.what());
    }
  }
}

}  // namespace

HttpServer::HttpServer(const ServerOptions& options, HttpRoutes& routes) : loops_(std::make_unique<Loops>()) {
  int threads =
      options.threads > 0 ? options.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < threads; ++i) {
    loops_->contexts.push_back(std::make_unique<net::io_context>(1));
    loops_->guards.push_back(net::make_work_guard(*loops_->contexts.back()));
  }
  loops_->routes = &routes;
  try {
    tcp::endpoint endpoint{net::ip::make_address(options.host), options.port};
    loops_->acceptor = std::make_unique<tcp::acceptor>(*loops_->contexts.front(), endpoint, true);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot listen on " + options.host + ":" + std::to_string(options.port) + ": " + e.what());
  }
  loops_->signals = std::make_unique<net::signal_set>(*loops_->contexts.front(), SIGINT, SIGTERM);
  loops_->signals->async_wait([this](boost::system::error_code ec, int) {
    if (!ec) {
      loops_->stop_all();
    }
  });
  loops_->accept_next();
}

HttpServer::~HttpServer() = default;

std::uint16_t HttpServer::port() const { return loops_->acceptor->local_endpoint().port(); }

void HttpServer::run() {
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < loops_->contexts.size(); ++i) {
    threads.emplace_back([context = loops_->contexts[i].get()] { run_loop(*context); });
  }
  run_loop(*loops_->contexts.front());
  for (auto& thread : threads) {
    thread.join();
  }
}

void HttpServer::stop() {
  net::post(*loops_->contexts.front(), [this] { loops_->stop_all(); });
}

}  // namespace cast::reference
