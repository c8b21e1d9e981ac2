#pragma once

#include <chrono>
#include <cstddef>
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

// A call in flight; cancel() drops it and its callback is never run.
class HttpCall {
 public:
  virtual ~HttpCall() = default;
  virtual void cancel() = 0;
};

// One-shot async HTTP/1.1 exchange on `ioc` (a fresh connection, closed
// after the answer). `done` runs exactly once on the loop thread unless
// cancelled. `tls` is needed for https:// endpoints only.
std::shared_ptr<HttpCall> start_http_call(boost::asio::io_context& ioc, const ServiceEndpoint& endpoint,
                                          boost::asio::ssl::context* tls, bool insecure, HttpCallRequest request,
                                          std::function<void(HttpOutcome&&)> done);

}  // namespace cast::worker
