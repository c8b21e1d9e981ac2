#include "reference/backend/ws_session.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <deque>

namespace cast::reference {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = beast::websocket;

constexpr std::size_t kHardFrameCap = 1 << 20;  // bytes; beyond this Beast closes with 1009
constexpr std::size_t kMaxQueuedFrames = 4096;  // a client this far behind is dropped
constexpr std::chrono::seconds kHandshakeTimeout{30};
constexpr std::chrono::seconds kIdleTimeout{120};  // with keep-alive pings at half of it

// Runs entirely on its connection's event loop; other threads reach it only
// through deliver() and drop(), which post onto that loop.
class WsSession : public Connection, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(beast::tcp_stream stream, Identity identity, AgentPlatform& platform)
      : ws_(std::move(stream)), identity_(std::move(identity)), platform_(platform) {}

  void accept(const HttpRequestMessage& request, const std::string& header, const std::string& value) {
    websocket::stream_base::timeout timeouts{kHandshakeTimeout, kIdleTimeout, true};
    ws_.set_option(timeouts);
    if (!header.empty()) {
      ws_.set_option(websocket::stream_base::decorator(
          [header, value](websocket::response_type& response) { response.set(header, value); }));
    }
    ws_.read_message_max(kHardFrameCap);
    ws_.text(true);
    ws_.async_accept(request, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
  }

  const Identity& identity() const override { return identity_; }
  bool gone() const override { return gone_.load(); }

  void deliver(std::string frame) override {
    net::post(ws_.get_executor(),
              [self = shared_from_this(), frame = std::move(frame)]() mutable { self->enqueue(std::move(frame)); });
  }

  void drop() override {
    net::post(ws_.get_executor(), [self = shared_from_this()] { self->close_socket(); });
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) {
      return finish();
    }
    registry_id_ = platform_.connections().add(shared_from_this());
    platform_.metrics().connection_opened();
    registered_ = true;
    read();
  }

  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      return finish();
    }
    auto text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    if (platform_.dialect() == Dialect::ops) {
      text = ops::client_frame_to_v1(text);
    }
    auto parsed = parse_client_frame(text, platform_.max_frame_bytes());
    if (auto* problem = std::get_if<FrameProblem>(&parsed)) {
      platform_.refuse_frame(shared_from_this(), *problem);
    } else {
      platform_.handle(shared_from_this(), std::move(std::get<ClientRequest>(parsed)));
    }
    read();
  }

  void enqueue(std::string frame) {
    if (gone_) {
      return;
    }
    if (queue_.size() >= kMaxQueuedFrames) {
      spdlog::warn("user {}: {} frames unsent, dropping the connection", identity_.user_id, queue_.size());
      return close_socket();
    }
    queue_.push_back(platform_.dialect() == Dialect::ops ? ops::server_frame_from_v1(frame) : std::move(frame));
    if (queue_.size() == 1) {
      write_next();
    }
  }

  void write_next() {
    ws_.async_write(net::buffer(queue_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(beast::error_code ec) {
    if (ec || gone_) {
      // Only now, with no write in flight, may the queued buffers go.
      queue_.clear();
      return finish();
    }
    queue_.pop_front();
    if (!queue_.empty()) {
      write_next();
    }
  }

  void close_socket() {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).socket().close(ignored);
    finish();
  }

  // Idempotent: a failed read, a failed write and a drop may all end up here.
  void finish() {
    gone_ = true;
    if (registered_) {
      registered_ = false;
      platform_.connections().remove(registry_id_);
      platform_.metrics().connection_closed();
    }
  }

  websocket::stream<beast::tcp_stream> ws_;
  Identity identity_;
  AgentPlatform& platform_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  std::atomic<bool> gone_{false};
  bool registered_{false};
  std::uint64_t registry_id_{0};
};

}  // namespace

void start_ws_session(beast::tcp_stream stream, const HttpRequestMessage& request, Identity identity,
                      AgentPlatform& platform, const std::string& header, const std::string& value) {
  std::make_shared<WsSession>(std::move(stream), std::move(identity), platform)->accept(request, header, value);
}

}  // namespace cast::reference
