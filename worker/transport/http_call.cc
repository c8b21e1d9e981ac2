#include "worker/transport/http_call.h"

#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>
#include <stdexcept>
#include <type_traits>

#include "common/net/tls_client.h"
#include "worker/transport/response_head.h"
#include "worker/transport/service_endpoint.h"

namespace cast::worker {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using beast::error_code;

// Bodies up to this size go out in the one write of a fresh connection
// (its send buffer starts at 16 KB).
constexpr std::size_t kOneWriteBodyBytes = 8 * 1024;

template <bool Tls>
using Layer = std::conditional_t<Tls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

template <bool Tls>
class HttpExchange final : public HttpCall, public std::enable_shared_from_this<HttpExchange<Tls>> {
 public:
  template <class... LayerArgs>
  HttpExchange(const ServiceEndpoint& endpoint, bool insecure, const HttpCallRequest& request,
               std::function<void(HttpOutcome&&)> done, LayerArgs&&... args)
      : stream_(std::forward<LayerArgs>(args)...),
        endpoint_(endpoint),
        insecure_(insecure),
        timeout_(request.timeout),
        done_(std::move(done)) {
    compose(request);
    parser_.body_limit(request.body_limit);
    open_socket();
  }

  void start() override {
    if (!done_ || started_) {
      return;
    }
    started_ = true;
    auto& tcp = beast::get_lowest_layer(stream_);
    tcp.expires_after(timeout_);
    auto self = this->shared_from_this();
    if (tcp.socket().is_open()) {
      tcp.async_connect(endpoint_.addresses.front(), [self](error_code ec) { self->on_connect(ec); });
    } else {
      tcp.async_connect(endpoint_.addresses, [self](error_code ec, const auto&) { self->on_connect(ec); });
    }
  }

  void cancel() override {
    done_ = nullptr;
    beast::get_lowest_layer(stream_).close();
  }

 private:
  void compose(const HttpCallRequest& request) {
    request_.method_string(request.method);
    request_.target(request.target);
    request_.version(11);
    request_.set(http::field::host, endpoint_.url.host_port());
    request_.set(http::field::user_agent, "cast-worker");
    request_.keep_alive(false);
    if (!request.bearer.empty()) {
      request_.set(http::field::authorization, "Bearer " + request.bearer);
    }
    if (!request.body.empty()) {
      request_.set(http::field::content_type, "application/json");
      request_.body() = request.body;
    }
    request_.prepare_payload();
  }

  // One address: the socket is opened, and made non-blocking (which Asio
  // would otherwise do at the connect), with the call, so that a call
  // prepared ahead of its step spends that step on the connect itself.
  // Several addresses: the range connect opens a socket for each it tries.
  void open_socket() {
    if (endpoint_.addresses.size() != 1) {
      return;
    }
    auto& socket = beast::get_lowest_layer(stream_).socket();
    error_code ec;
    socket.open(endpoint_.addresses.front().protocol(), ec);
    if (!ec) {
      socket.non_blocking(true, ec);
    }
    if (ec) {
      socket.close(ec);  // the connect opens one again and reports what fails
    }
  }

  void on_connect(error_code ec) {
    if (!done_) {
      return;
    }
    if (ec) {
      return fail(ec, "http connect");
    }
    // Beast hands header and body to one gather write, and Nagle never holds
    // a connection's first segment, so a request of ordinary size leaves at
    // once without TCP_NODELAY (a system call per call saved). A body the
    // kernel may take in parts gets it, so that no tail waits for an
    // acknowledgement.
    if (request_.body().size() > kOneWriteBodyBytes) {
      error_code unsupported;  // a socket without the option still works
      beast::get_lowest_layer(stream_).socket().set_option(asio::ip::tcp::no_delay(true), unsupported);
    }
    if constexpr (Tls) {
      if (auto setup = prepare_tls_stream(stream_, endpoint_.url.host, insecure_)) {
        return fail(setup, "tls setup");
      }
      stream_.async_handshake(asio::ssl::stream_base::client,
                              [self = this->shared_from_this()](error_code e) { self->on_ready(e); });
    } else {
      on_ready({});
    }
  }

  void on_ready(error_code ec) {
    if (!done_) {
      return;
    }
    if (ec) {
      return fail(ec, "tls handshake");
    }
    http::async_write(stream_, request_,
                      [self = this->shared_from_this()](error_code e, std::size_t) { self->on_written(e); });
  }

  void on_written(error_code ec) {
    if (!done_) {
      return;
    }
    if (ec) {
      return fail(ec, "http write");
    }
    http::async_read(stream_, buffer_, parser_,
                     [self = this->shared_from_this()](error_code e, std::size_t) { self->on_answer(e); });
  }

  void on_answer(error_code ec) {
    if (!done_) {
      return;
    }
    if (ec) {
      return fail(ec, "http read");
    }
    auto answer = parser_.release();
    auto status = static_cast<int>(answer.result_int());
    finish({{}, status, response_head(answer.base()), std::move(answer.body())});
  }

  void fail(error_code ec, std::string_view step) {
    finish({describe_failure(ec, std::string(step) + " " + request_.method_string().to_string(), endpoint_.text),
            0,
            {},
            {}});
  }

  void finish(HttpOutcome&& outcome) {
    auto done = std::exchange(done_, nullptr);
    beast::get_lowest_layer(stream_).close();
    done(std::move(outcome));
  }

  Layer<Tls> stream_;
  const ServiceEndpoint& endpoint_;
  bool insecure_;
  std::chrono::milliseconds timeout_;
  bool started_{false};
  std::function<void(HttpOutcome&&)> done_;
  http::request<http::string_body> request_;
  http::response_parser<http::string_body> parser_;
  beast::flat_buffer buffer_;
};

template <bool Tls, class... LayerArgs>
std::shared_ptr<HttpCall> make_exchange(const ServiceEndpoint& endpoint, bool insecure, const HttpCallRequest& request,
                                        std::function<void(HttpOutcome&&)> done, LayerArgs&&... args) {
  return std::make_shared<HttpExchange<Tls>>(endpoint, insecure, request, std::move(done),
                                             std::forward<LayerArgs>(args)...);
}

}  // namespace

std::shared_ptr<HttpCall> prepare_http_call(asio::io_context& ioc, const ServiceEndpoint& endpoint,
                                            asio::ssl::context* tls, bool insecure, HttpCallRequest request,
                                            std::function<void(HttpOutcome&&)> done) {
  if (!endpoint.url.tls()) {
    return make_exchange<false>(endpoint, insecure, request, std::move(done), ioc);
  }
  if (tls == nullptr) {
    throw std::invalid_argument("a TLS context is needed for " + endpoint.text);
  }
  return make_exchange<true>(endpoint, insecure, request, std::move(done), ioc, *tls);
}

std::shared_ptr<HttpCall> start_http_call(asio::io_context& ioc, const ServiceEndpoint& endpoint,
                                          asio::ssl::context* tls, bool insecure, HttpCallRequest request,
                                          std::function<void(HttpOutcome&&)> done) {
  auto call = prepare_http_call(ioc, endpoint, tls, insecure, std::move(request), std::move(done));
  call->start();
  return call;
}

}  // namespace cast::worker
