#include "common/net/tls_client.h"

namespace cast {

std::shared_ptr<boost::asio::ssl::context> make_tls_client_context(bool insecure) {
  namespace ssl = boost::asio::ssl;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3);
  if (insecure) {
    context->set_verify_mode(ssl::verify_none);
    return context;
  }
  context->set_default_verify_paths();
  context->set_verify_mode(ssl::verify_peer);
  return context;
}

}  // namespace cast
