#include "worker/transport/transport_failure.h"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>

namespace cast::worker {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;

std::string_view failure_kind(const boost::system::error_code& ec, std::string_view step) {
  if (ec == beast::error::timeout || ec == asio::error::timed_out) {
    return "timeout";
  }
  if (ec == asio::error::connection_refused) {
    return "refused";
  }
  if (ec.category() == asio::error::get_ssl_category() || ec.category() == asio::ssl::error::get_stream_category() ||
      step.find("tls") != std::string_view::npos) {
    return "tls";
  }
  if (ec == beast::websocket::error::closed || ec == asio::error::eof || ec == beast::http::error::end_of_stream) {
    return "closed";
  }
  if (ec == asio::error::connection_reset || ec == asio::error::broken_pipe) {
    return "reset";
  }
  if (ec == asio::error::operation_aborted) {
    return "aborted";
  }
  return "io";
}

}  // namespace

TransportFailure describe_failure(const boost::system::error_code& ec, std::string_view step, std::string_view url) {
  TransportFailure failure;
  failure.kind = failure_kind(ec, step);
  failure.message = std::string(step) + " " + std::string(url) + ": " + ec.message();
  return failure;
}

}  // namespace cast::worker
