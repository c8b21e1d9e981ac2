#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/protocol/timeouts.h"
#include "worker/transport/transport_failure.h"

namespace boost::asio {
class io_context;
namespace ssl {
class context;
}
}  // namespace boost::asio

namespace cast::worker {

struct ServiceEndpoint;

enum class ConnectStage { tcp, tls, upgrade };

// What a connection tells its owner, always on the connection's loop thread.
class WsListener {
 public:
  virtual void on_connect_stage(ConnectStage finished) = 0;
  // The platform's answer to the upgrade, granted or refused, before
  // on_open or on_closed: its status line and header fields, and the body
  // of a refusal. The views die when the call returns.
  virtual void on_upgrade_answer(int status, std::string_view head, std::string_view body) = 0;
  // The upgrade succeeded; frames follow.
  virtual void on_open() = 0;
  // One text or binary message; the view dies when the call returns.
  virtual void on_frame(std::string_view message) = 0;
  // Called once when the connection ends after open() was called: a failure
  // (during connect or later), or an empty failure for the clean end of
  // our own close(). Not called after abort().
  virtual void on_closed(const TransportFailure& why) = 0;

 protected:
  ~WsListener() = default;
};

struct WsOpenOptions {
  std::string token;                  // sent as Bearer header, or as a query parameter
  std::string token_query_parameter;  // empty: header
  std::chrono::milliseconds connect_timeout{defaults::kConnectTimeout};  // ms; TCP connect plus TLS handshake
  std::chrono::milliseconds upgrade_timeout{defaults::kConnectTimeout};  // ms; the HTTP upgrade
  std::size_t read_message_max{4 << 20};                                 // bytes; longer messages fail the connection
  // Bytes of Beast's write buffer, which a client's frames are masked
  // through, one socket write per buffer-full; kept for the connection's
  // life, so a held connection pays it whole.
  std::size_t write_buffer_bytes{4096};
};

// A WebSocket client connection; ws:// or wss:// was decided when it was made.
// One write in flight at a time (later sends queue), reads run continuously
// from open until the end.
class WsConnection {
 public:
  virtual ~WsConnection() = default;
  virtual void open(const WsOpenOptions& options) = 0;
  // Queued until the previous message is written; ignored once closing.
  virtual void send(std::string text) = 0;
  // WebSocket close handshake; on_closed({}) when it completes.
  virtual void close() = 0;
  // Drops the socket now; the listener hears nothing more.
  virtual void abort() = 0;
};

// `tls` may be null for ws:// (wss:// without one throws invalid_argument).
// For an endpoint of one address the socket is opened now, so a connection
// made before its step (by another thread while the loop is not running
// yet) leaves open() only the connect.
// The listener must outlive the connection's
// callbacks (abort() releases it early).
std::shared_ptr<WsConnection> make_ws_connection(boost::asio::io_context& ioc, const ServiceEndpoint& endpoint,
                                                 boost::asio::ssl::context* tls, bool insecure, WsListener& listener);

}  // namespace cast::worker
