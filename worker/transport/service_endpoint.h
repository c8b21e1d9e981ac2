#pragma once

// Narrow header (pulls in Asio): include from worker .cc files only.

#include <boost/asio/ip/tcp.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/net/url.h"

namespace cast::worker {

// A service URL with its addresses looked up ahead of time, so that name
// resolution never counts against a measured step.
struct ServiceEndpoint {
  Url url;
  std::string text;  // the URL as given, for messages
  std::vector<boost::asio::ip::tcp::endpoint> addresses;
};

class ResolveError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Blocking lookup; throws ResolveError (or UrlError) naming the URL.
ServiceEndpoint resolve_service(const std::string& url);

// Opens `socket` for the endpoint's one address and makes it non-blocking
// (which Asio would otherwise do at the connect), so that a connection made
// ahead of its step spends that step on the connect itself. False with
// several addresses (the range connect opens a socket for each it tries)
// or when the open failed (the connect opens one again and reports what
// fails); the socket is then closed.
bool open_ahead(boost::asio::ip::tcp::socket& socket, const ServiceEndpoint& endpoint);

}  // namespace cast::worker
