#include "worker/transport/ws_connection.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "common/net/tls_client.h"
#include "worker/transport/response_head.h"
#include "worker/transport/service_endpoint.h"

namespace cast::worker {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using beast::error_code;

template <bool Tls>
using Layer = std::conditional_t<Tls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

std::string upgrade_target(const Url& url, const WsOpenOptions& options) {
  if (options.token_query_parameter.empty() || options.token.empty()) {
    return url.target;
  }
  auto separator = url.target.find('?') == std::string::npos ? "?" : "&";
  return url.target + separator + options.token_query_parameter + "=" + url_encode(options.token);
}

template <bool Tls>
class WsSession final : public WsConnection, public std::enable_shared_from_this<WsSession<Tls>> {
 public:
  template <class... LayerArgs>
  WsSession(const ServiceEndpoint& endpoint, bool insecure, WsListener& listener, LayerArgs&&... args)
      : ws_(std::forward<LayerArgs>(args)...), endpoint_(endpoint), insecure_(insecure), listener_(&listener) {
    open_socket();
  }

  void open(const WsOpenOptions& options) override {
    upgrade_timeout_ = options.upgrade_timeout;
    ws_.read_message_max(options.read_message_max);
    ws_.write_buffer_bytes(std::max<std::size_t>(8, options.write_buffer_bytes));
    bearer_ = options.token_query_parameter.empty() && !options.token.empty() ? "Bearer " + options.token : "";
    target_ = upgrade_target(endpoint_.url, options);
    auto& tcp = beast::get_lowest_layer(ws_);
    tcp.expires_after(options.connect_timeout);
    auto self = this->shared_from_this();
    if (tcp.socket().is_open()) {
      tcp.async_connect(endpoint_.addresses.front(), [self](error_code ec) { self->on_tcp(ec); });
    } else {
      tcp.async_connect(endpoint_.addresses, [self](error_code ec, const auto&) { self->on_tcp(ec); });
    }
  }

  void send(std::string text) override {
    if (!listener_ || closing_) {
      return;
    }
    outbox_.push_back(std::move(text));
    if (outbox_.size() == 1) {
      write_front();
    }
  }

  void close() override {
    if (!listener_ || closing_) {
      return;
    }
    closing_ = true;
    if (outbox_.empty()) {
      start_close();
    }
  }

  void abort() override {
    listener_ = nullptr;
    beast::get_lowest_layer(ws_).close();
  }

 private:
  // Every frame is a whole request the platform should see now; Nagle
  // would hold a frame written while an earlier one is unacknowledged.
  void set_no_delay() {
    error_code unsupported;  // a socket without the option still works
    beast::get_lowest_layer(ws_).socket().set_option(asio::ip::tcp::no_delay(true), unsupported);
  }

  // TCP_NODELAY is kept by a socket through its connect, so a socket
  // opened ahead (open_ahead) gets it now; otherwise on_tcp sets it.
  void open_socket() {
    if (!open_ahead(beast::get_lowest_layer(ws_).socket(), endpoint_)) {
      return;
    }
    set_no_delay();
    no_delay_set_ = true;
  }

  void on_tcp(error_code ec) {
    if (!listener_) {
      return;
    }
    if (ec) {
      return fail(ec, "tcp connect");
    }
    if (!no_delay_set_) {
      set_no_delay();
    }
    listener_->on_connect_stage(ConnectStage::tcp);
    if constexpr (Tls) {
      start_tls();
    } else {
      start_upgrade();
    }
  }

  void start_tls() {
    if (auto ec = prepare_tls_stream(ws_.next_layer(), endpoint_.url.host, insecure_)) {
      return fail(ec, "tls setup");
    }
    ws_.next_layer().async_handshake(asio::ssl::stream_base::client,
                                     [self = this->shared_from_this()](error_code ec) { self->on_tls(ec); });
  }

  void on_tls(error_code ec) {
    if (!listener_) {
      return;
    }
    if (ec) {
      return fail(ec, "tls handshake");
    }
    listener_->on_connect_stage(ConnectStage::tls);
    start_upgrade();
  }

  void start_upgrade() {
    // The upgrade runs under the TCP stream's deadline, not Beast's
    // handshake timer: that timer stays armed after a refused upgrade
    // (Beast 1.74 never disarms it then), and its wait would keep the
    // loop busy for the whole timeout after the platform had answered.
    beast::get_lowest_layer(ws_).expires_after(upgrade_timeout_);
    ws_.set_option(
        websocket::stream_base::timeout{websocket::stream_base::none(), websocket::stream_base::none(), false});
    ws_.set_option(websocket::stream_base::decorator([bearer = std::move(bearer_)](websocket::request_type& req) {
      req.set(beast::http::field::user_agent, "cast-worker");
      if (!bearer.empty()) {
        req.set(beast::http::field::authorization, bearer);
      }
    }));
    response_ = std::make_unique<websocket::response_type>();
    ws_.async_handshake(*response_, endpoint_.url.host_port(), target_,
                        [self = this->shared_from_this()](error_code ec) { self->on_upgrade(ec); });
  }

  void on_upgrade(error_code ec) {
    if (!listener_) {
      return;
    }
    if (ec == websocket::error::upgrade_declined || !ec) {
      auto head = response_head(response_->base());
      listener_->on_upgrade_answer(static_cast<int>(response_->result_int()), head, response_->body());
      if (!listener_) {
        return;
      }
    }
    if (ec == websocket::error::upgrade_declined) {
      return refuse(response_->result_int());
    }
    if (ec) {
      return fail(ec, "websocket upgrade");
    }
    response_.reset();
    target_.clear();
    // The decorator (and the token in it) served the upgrade only.
    ws_.set_option(websocket::stream_base::decorator([](websocket::request_type&) {}));
    // Open: the user's step timers rule reads; our close handshake gets
    // the upgrade's timeout (Beast arms it on closing, disarms it when closed).
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout{upgrade_timeout_, websocket::stream_base::none(), false});
    listener_->on_connect_stage(ConnectStage::upgrade);
    listener_->on_open();
    if (listener_) {
      read_next();
    }
  }

  void read_next() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(error_code ec) {
    if (!listener_ || (ec && closing_)) {
      return;  // after our own close, on_close reports the end
    }
    if (ec) {
      return fail(ec, "read");
    }
    auto data = buffer_.cdata();
    listener_->on_frame(std::string_view(static_cast<const char*>(data.data()), data.size()));
    // Between frames the connection holds no read buffer: most of a held
    // connection's life is idle, and a kept buffer (Beast sizes it 4 KB or
    // more) would be a quarter of its memory. Allocating it again per frame
    // costs far less than the frame's syscalls.
    buffer_.clear();
    buffer_.shrink_to_fit();
    if (listener_) {
      read_next();
    }
  }

  void write_front() {
    ws_.text(true);
    ws_.async_write(asio::buffer(outbox_.front()),
                    [self = this->shared_from_this()](error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(error_code ec) {
    if (!listener_) {
      return;
    }
    if (ec) {
      return fail(ec, "write");
    }
    outbox_.erase(outbox_.begin());
    if (!outbox_.empty()) {
      write_front();
    } else if (closing_) {
      start_close();
    }
  }

  void start_close() {
    ws_.async_close(websocket::close_code::normal,
                    [self = this->shared_from_this()](error_code ec) { self->on_close(ec); });
  }

  void on_close(error_code ec) {
    if (auto* listener = std::exchange(listener_, nullptr)) {
      listener->on_closed(ec ? describe_failure(ec, "close", endpoint_.text) : TransportFailure{});
    }
  }

  void refuse(unsigned status) {
    auto* listener = std::exchange(listener_, nullptr);
    beast::get_lowest_layer(ws_).close();
    listener->on_closed({"http_" + std::to_string(status),
                         "websocket upgrade " + endpoint_.text + " refused with HTTP " + std::to_string(status)});
  }

  void fail(error_code ec, std::string_view step) {
    auto failure = describe_failure(ec, step, endpoint_.text);
    if (ec == websocket::error::closed) {
      failure.message +=
          " (close code " + std::to_string(ws_.reason().code) + " " + std::string(ws_.reason().reason.c_str()) + ")";
    }
    auto* listener = std::exchange(listener_, nullptr);
    beast::get_lowest_layer(ws_).close();
    listener->on_closed(failure);
  }

  websocket::stream<Layer<Tls>> ws_;
  const ServiceEndpoint& endpoint_;
  bool insecure_;
  WsListener* listener_;
  bool closing_{false};
  bool no_delay_set_{false};
  std::chrono::milliseconds upgrade_timeout_{};  // from the options given to open()
  std::string bearer_;
  std::string target_;
  std::unique_ptr<websocket::response_type> response_;
  beast::flat_buffer buffer_;
  std::vector<std::string> outbox_;  // rarely more than one; a deque would allocate 576 bytes up front
};

}  // namespace

std::shared_ptr<WsConnection> make_ws_connection(asio::io_context& ioc, const ServiceEndpoint& endpoint,
                                                 asio::ssl::context* tls, bool insecure, WsListener& listener) {
  if (!endpoint.url.tls()) {
    return std::make_shared<WsSession<false>>(endpoint, insecure, listener, ioc);
  }
  if (tls == nullptr) {
    throw std::invalid_argument("a TLS context is needed for " + endpoint.text);
  }
  return std::make_shared<WsSession<true>>(endpoint, insecure, listener, ioc, *tls);
}

}  // namespace cast::worker
