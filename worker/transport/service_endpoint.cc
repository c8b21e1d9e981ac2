#include "worker/transport/service_endpoint.h"

namespace cast::worker {

ServiceEndpoint resolve_service(const std::string& url) {
  ServiceEndpoint endpoint{parse_url(url), url, {}};
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::resolver resolver{ioc};
  boost::system::error_code ec;
  auto results = resolver.resolve(endpoint.url.host, std::to_string(endpoint.url.port), ec);
  if (ec) {
    throw ResolveError("cannot resolve " + endpoint.url.host + " of " + url + ": " + ec.message());
  }
  for (const auto& entry : results) {
    endpoint.addresses.push_back(entry.endpoint());
  }
  if (endpoint.addresses.empty()) {
    throw ResolveError("no address for " + endpoint.url.host + " of " + url);
  }
  return endpoint;
}

bool open_ahead(boost::asio::ip::tcp::socket& socket, const ServiceEndpoint& endpoint) {
  if (endpoint.addresses.size() != 1) {
    return false;
  }
  boost::system::error_code ec;
  socket.open(endpoint.addresses.front().protocol(), ec);
  if (!ec) {
    socket.non_blocking(true, ec);
  }
  if (ec) {
    socket.close(ec);
    return false;
  }
  return true;
}

}  // namespace cast::worker
