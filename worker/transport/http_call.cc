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

// What a connection the server closed while it sat idle looks like to the
// next request written on it: the end of the stream or a reset.
bool closed_while_idle(const error_code& ec) {
  return ec == asio::error::eof || ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::connection_aborted ||
         ec == asio::ssl::error::stream_truncated;
}

// One HTTP/1.1 connection and the call in flight on it. One-shot (the
// request says Connection: close) for prepare_http_call, keep-alive for
// make_http_connection. Every handler carries the number of the call it
// belongs to: a handler of a cancelled call never touches the next one.
template <bool Tls>
class HttpLink final : public HttpConnection, public std::enable_shared_from_this<HttpLink<Tls>> {
 public:
  HttpLink(asio::io_context& ioc, asio::ssl::context* tls, const ServiceEndpoint& endpoint, bool insecure,
           bool keep_alive)
      : ioc_(ioc), tls_(tls), endpoint_(endpoint), insecure_(insecure), keep_alive_(keep_alive) {}

  // The one-shot call made ready: composed, its socket opened; start() connects.
  void prepare(const HttpCallRequest& request, Done done) {
    begin(request, std::move(done));
    new_stream();
    prepared_ = true;
  }

  void start() override {
    if (done_ && std::exchange(prepared_, false)) {
      connect_stream();
    }
  }

  void call(HttpCallRequest request, Done done) override {
    begin(request, std::move(done));
    if (open_) {
      reused_ = true;
      lowest().expires_after(timeout_);
      return write();
    }
    connect();
  }

  void cancel() override {
    ++call_;
    prepared_ = false;
    done_ = nullptr;
    drop();
  }

  std::uint32_t connections_opened() const override { return opened_; }

 private:
  auto& lowest() { return beast::get_lowest_layer(*stream_); }

  template <class Step>
  auto handler(Step step) {
    return [self = this->shared_from_this(), call = call_, step](error_code ec, auto&&...) {
      if (self->call_ == call && self->done_) {
        (self.get()->*step)(ec);
      }
    };
  }

  void begin(const HttpCallRequest& request, Done done) {
    ++call_;
    done_ = std::move(done);
    resent_ = false;
    parser_.reset();
    compose(request);
    timeout_ = request.timeout;
    body_limit_ = request.body_limit;
  }

  void compose(const HttpCallRequest& request) {
    request_ = {};
    request_.method_string(request.method);
    request_.target(request.target);
    request_.version(11);
    request_.set(http::field::host, endpoint_.url.host_port());
    request_.set(http::field::user_agent, "cast-worker");
    request_.keep_alive(keep_alive_);
    if (!request.bearer.empty()) {
      request_.set(http::field::authorization, "Bearer " + request.bearer);
    }
    if (!request.body.empty()) {
      request_.set(http::field::content_type, "application/json");
      request_.body() = request.body;
    }
    request_.prepare_payload();
  }

  void connect() {
    new_stream();
    connect_stream();
  }

  // A prepared call's socket is opened with its stream (open_ahead).
  void new_stream() {
    drop();
    if constexpr (Tls) {
      stream_.emplace(ioc_, *tls_);
    } else {
      stream_.emplace(ioc_);
    }
    open_ahead(lowest().socket(), endpoint_);
  }

  void connect_stream() {
    ++opened_;
    reused_ = false;
    lowest().expires_after(timeout_);
    if (lowest().socket().is_open()) {
      lowest().async_connect(endpoint_.addresses.front(), handler(&HttpLink::on_connect));
    } else {
      lowest().async_connect(endpoint_.addresses, handler(&HttpLink::on_connect));
    }
  }

  void on_connect(error_code ec) {
    if (ec) {
      return fail(ec, "http connect");
    }
    // Beast hands header and body to one gather write, and Nagle never holds
    // a connection's first segment, so a request of ordinary size leaves at
    // once without TCP_NODELAY (a system call per call saved). A body the
    // kernel may take in parts gets it, so that no tail waits for an
    // acknowledgement; so does a kept connection, whose later requests
    // would otherwise wait for the acknowledgement of the one before.
    if (keep_alive_ || request_.body().size() > kOneWriteBodyBytes) {
      error_code unsupported;  // a socket without the option still works
      lowest().socket().set_option(asio::ip::tcp::no_delay(true), unsupported);
    }
    if constexpr (Tls) {
      if (auto setup = prepare_tls_stream(*stream_, endpoint_.url.host, insecure_)) {
        return fail(setup, "tls setup");
      }
      stream_->async_handshake(asio::ssl::stream_base::client, handler(&HttpLink::on_ready));
    } else {
      on_ready({});
    }
  }

  void on_ready(error_code ec) {
    if (ec) {
      return fail(ec, "tls handshake");
    }
    open_ = true;
    write();
  }

  void write() { http::async_write(*stream_, request_, handler(&HttpLink::on_written)); }

  void on_written(error_code ec) {
    if (ec) {
      return retry_or_fail(ec, "http write");
    }
    parser_.emplace();
    parser_->body_limit(body_limit_);
    http::async_read(*stream_, buffer_, *parser_, handler(&HttpLink::on_answer));
  }

  void on_answer(error_code ec) {
    if (ec) {
      return retry_or_fail(ec, "http read");
    }
    auto answer = parser_->release();
    auto status = static_cast<int>(answer.result_int());
    if (!keep_alive_ || !answer.keep_alive()) {
      drop();  // the server closes it, or this call was the only one
    }
    finish({{}, status, response_head(answer.base()), std::move(answer.body())});
  }

  // A reused connection that turns out closed is the reuse's artifact, not
  // the server's answer: the request goes again on a fresh connection, once.
  void retry_or_fail(error_code ec, std::string_view step) {
    bool nothing_heard = !parser_ || !parser_->got_some();
    if (reused_ && !resent_ && nothing_heard && closed_while_idle(ec)) {
      resent_ = true;
      return connect();
    }
    fail(ec, step);
  }

  void fail(error_code ec, std::string_view step) {
    drop();
    finish({describe_failure(ec, std::string(step) + " " + request_.method_string().to_string(), endpoint_.text),
            0,
            {},
            {}});
  }

  void finish(HttpOutcome&& outcome) { std::exchange(done_, nullptr)(std::move(outcome)); }

  void drop() {
    open_ = false;
    parser_.reset();
    buffer_.clear();
    if (stream_) {
      lowest().close();
    }
  }

  asio::io_context& ioc_;
  asio::ssl::context* tls_;
  const ServiceEndpoint& endpoint_;
  bool insecure_;
  bool keep_alive_;
  std::optional<Layer<Tls>> stream_;
  bool open_{false};      // connected (and through TLS), no call failed on it
  bool reused_{false};    // the call in flight rides a connection an earlier call opened
  bool resent_{false};    // the call in flight already went again on a fresh connection
  bool prepared_{false};  // a prepared one-shot call, not started yet
  std::uint32_t opened_{0};
  std::uint64_t call_{0};
  Done done_;
  std::chrono::milliseconds timeout_{defaults::kTokenTimeout};
  std::size_t body_limit_{1 << 20};
  http::request<http::string_body> request_;
  std::optional<http::response_parser<http::string_body>> parser_;
  beast::flat_buffer buffer_;
};

// A one-shot call prepared (keep_alive false, `request` given) or a bare connection.
template <bool Tls>
std::shared_ptr<HttpConnection> make_link(asio::io_context& ioc, asio::ssl::context* tls,
                                          const ServiceEndpoint& endpoint, bool insecure,
                                          const HttpCallRequest* request, HttpConnection::Done done) {
  auto link = std::make_shared<HttpLink<Tls>>(ioc, tls, endpoint, insecure, request == nullptr);
  if (request != nullptr) {
    link->prepare(*request, std::move(done));
  }
  return link;
}

std::shared_ptr<HttpConnection> make_link(asio::io_context& ioc, const ServiceEndpoint& endpoint,
                                          asio::ssl::context* tls, bool insecure,
                                          const HttpCallRequest* request = nullptr,
                                          HttpConnection::Done done = nullptr) {
  if (!endpoint.url.tls()) {
    return make_link<false>(ioc, tls, endpoint, insecure, request, std::move(done));
  }
  if (tls == nullptr) {
    throw std::invalid_argument("a TLS context is needed for " + endpoint.text);
  }
  return make_link<true>(ioc, tls, endpoint, insecure, request, std::move(done));
}

}  // namespace

std::shared_ptr<HttpCall> prepare_http_call(asio::io_context& ioc, const ServiceEndpoint& endpoint,
                                            asio::ssl::context* tls, bool insecure, HttpCallRequest request,
                                            std::function<void(HttpOutcome&&)> done) {
  return make_link(ioc, endpoint, tls, insecure, &request, std::move(done));
}

std::shared_ptr<HttpCall> start_http_call(asio::io_context& ioc, const ServiceEndpoint& endpoint,
                                          asio::ssl::context* tls, bool insecure, HttpCallRequest request,
                                          std::function<void(HttpOutcome&&)> done) {
  auto call = prepare_http_call(ioc, endpoint, tls, insecure, std::move(request), std::move(done));
  call->start();
  return call;
}

std::shared_ptr<HttpConnection> make_http_connection(asio::io_context& ioc, const ServiceEndpoint& endpoint,
                                                     asio::ssl::context* tls, bool insecure) {
  return make_link(ioc, endpoint, tls, insecure);
}

}  // namespace cast::worker
