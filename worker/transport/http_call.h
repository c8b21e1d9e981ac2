#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

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

struct HttpCallRequest {
  std::string method{"GET"};
  std::string target{"/"};                                     // path and query
  std::string body;                                            // sent as application/json when not empty
  std::string bearer;                                          // Authorization: Bearer <bearer> when not empty
  std::chrono::milliseconds timeout{defaults::kTokenTimeout};  // ms; connect to last byte
  std::size_t body_limit{1 << 20};                             // bytes of answer body accepted
};

struct HttpOutcome {
  TransportFailure failure;  // set when no answer came at all
  int status{0};
  std::string head;  // status line and header fields as received (evidence too)
  std::string body;
};

// A call, prepared or in flight; cancel() drops it and its callback is
// never run.
class HttpCall {
 public:
  virtual ~HttpCall() = default;
  // Connects and sends; once, and only for a call from prepare_http_call.
  virtual void start() = 0;
  virtual void cancel() = 0;
};

// One-shot async HTTP/1.1 exchange on `ioc` (a fresh connection, closed
// after the answer), made ready but not started: the request is composed
// and, for an endpoint of one address, the socket opened, so that start()
// costs only the connect. A measured step prepared before its scheduled
// time pays neither then. `done` runs exactly once on the loop thread
// unless cancelled. `tls` is needed for https:// endpoints only. Until
// start() the call may be made on another thread, as long as the loop is
// not running yet.
std::shared_ptr<HttpCall> prepare_http_call(boost::asio::io_context& ioc, const ServiceEndpoint& endpoint,
                                            boost::asio::ssl::context* tls, bool insecure, HttpCallRequest request,
                                            std::function<void(HttpOutcome&&)> done);

// prepare_http_call, then start().
std::shared_ptr<HttpCall> start_http_call(boost::asio::io_context& ioc, const ServiceEndpoint& endpoint,
                                          boost::asio::ssl::context* tls, bool insecure, HttpCallRequest request,
                                          std::function<void(HttpOutcome&&)> done);

// A keep-alive HTTP/1.1 connection to one endpoint, for consecutive calls
// (one at a time): opened by the first call, kept while the server keeps
// it, opened anew by the next call after the server said Connection: close.
// A reused connection the server has closed meanwhile (EOF or reset before
// any byte of the answer) is reopened and the request sent again, once, so
// no answer is ever a transport artifact of the reuse; a fresh connection's
// failure is the call's outcome, as for start_http_call. cancel() drops the
// call in flight and closes the connection; the next call opens a new one.
class HttpConnection : public HttpCall {
 public:
  using Done = std::function<void(HttpOutcome&&)>;
  virtual void call(HttpCallRequest request, Done done) = 0;
  virtual std::uint32_t connections_opened() const = 0;  // count, the reopens included
};

std::shared_ptr<HttpConnection> make_http_connection(boost::asio::io_context& ioc, const ServiceEndpoint& endpoint,
                                                     boost::asio::ssl::context* tls, bool insecure);

}  // namespace cast::worker
