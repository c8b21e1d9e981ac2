#pragma once

// The one TLS client setup of cast: the workers' WebSocket and HTTP calls
// and the controller's blocking HTTP client all connect through it.
// Narrow header (pulls in Asio SSL): include from .cc files only.

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/system/error_code.hpp>
#include <memory>
#include <string>

namespace cast {

// A client context: the system trust store and peer verification, or no
// verification at all when `insecure` (--insecure, self-signed test
// platforms). One context may serve every connection of an event loop.
std::shared_ptr<boost::asio::ssl::context> make_tls_client_context(bool insecure);

// Call on each stream before its handshake: SNI always, and unless
// `insecure` a check that the certificate names `host`. The 1.74 Beast
// examples set neither, which is why this exists.
template <class SslStream>
boost::system::error_code prepare_tls_stream(SslStream& stream, const std::string& host, bool insecure) {
  boost::system::error_code ec;
  if (!SSL_set_tlsext_host_name(stream.native_handle(), host.c_str())) {
    ec.assign(static_cast<int>(::ERR_get_error()), boost::asio::error::get_ssl_category());
    return ec;
  }
  if (!insecure) {
    stream.set_verify_callback(boost::asio::ssl::host_name_verification(host), ec);
  }
  return ec;
}

}  // namespace cast
