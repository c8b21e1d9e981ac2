#pragma once

#include <string>
#include <string_view>

namespace boost::system {
class error_code;
}

namespace cast::worker {

// Why a connection or call ended. `kind` is a short, countable word
// (refused, timeout, tls, http_401, closed, reset, resolve, io); empty means
// no failure. `message` names the step and the URL.
struct TransportFailure {
  std::string kind;
  std::string message;

  bool failed() const { return !kind.empty(); }
};

// Turns an error of `step` ("tcp connect", "tls handshake", ...) on `url`
// into a failure whose kind does not depend on the Asio error text.
TransportFailure describe_failure(const boost::system::error_code& ec, std::string_view step, std::string_view url);

}  // namespace cast::worker
