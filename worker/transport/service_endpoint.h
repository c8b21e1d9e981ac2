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

}  // namespace cast::worker
