#include "worker/control/link_tls.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "common/protocol/timeouts.h"

namespace cast::worker {
namespace {

std::shared_ptr<grpc::ChannelCredentials> credentials(const ClientTls& tls) {
  if (!tls.enabled()) {
    return grpc::InsecureChannelCredentials();
  }
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = tls.ca;  // empty = gRPC's default roots
  options.pem_cert_chain = tls.cert_chain;
  options.pem_private_key = tls.private_key;
  return grpc::SslCredentials(options);
}

std::string lowered(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

}  // namespace

std::shared_ptr<grpc::Channel> dial_controller(const ControllerLinkConfig& config) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);  // assignments of 10 000+ users
  // Notice a vanished controller, and come back quickly when it returns.
  const auto keepalive_ms = static_cast<int>(defaults::kControlKeepalive.count());
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, keepalive_ms);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, keepalive_ms);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1'000);
  if (config.tls.enabled() && !config.tls.server_name.empty()) {
    // The name the controller's certificate must carry when it is not the
    // host in the address (an IP, or a name behind a load balancer).
    args.SetSslTargetNameOverride(config.tls.server_name);
  }
  return grpc::CreateCustomChannel(config.controller_address, credentials(config.tls), args);
}

std::optional<std::string> FirstContact::failure(const ControllerLinkConfig& config, const grpc::Status& status) {
  // gRPC reports a failed handshake only in the message text. A handshake
  // the peer's certificate or protocol failed fails the same way on every
  // retry; one whose connection broke mid-way ("Handshake read failed": a
  // slow or restarting controller, seen under ThreadSanitizer) may not, so
  // it counts with the closed connections below instead.
  auto text = lowered(status.error_message());
  auto has = [&text](const char* word) { return text.find(word) != std::string::npos; };
  const bool cut_short =
      has("socket closed") || has("connection reset") || has("handshake read failed") || has("handshake write failed");
  if (config.tls.enabled() && !cut_short && (has("handshake") || has("certificate") || has("ssl"))) {
    return fmt::format(
        "TLS handshake with the controller at {} failed: {} (check --tls-ca: the CA that signed the controller's "
        "certificate; --tls-server-name: a name in it; --tls-cert/--tls-key when the controller wants a worker "
        "certificate)",
        config.controller_address, status.error_message());
  }
  closed_in_a_row_ = cut_short ? closed_in_a_row_ + 1 : 0;
  if (closed_in_a_row_ < kClosedInARow) {
    return std::nullopt;
  }
  return fmt::format("the controller at {} closed the connection during the TLS handshake {} times in a row: {}",
                     config.controller_address, closed_in_a_row_,
                     config.tls.enabled() ? "it requires a worker certificate signed by its --tls-client-ca "
                                            "(give --tls-cert and --tls-key) or does not speak TLS"
                                          : "this worker dials in plaintext and the controller speaks TLS (give "
                                            "--tls-ca)");
}

std::string never_reached_hint(const ControllerLinkConfig& config) {
  if (config.tls.enabled()) {
    return fmt::format(
        " (TLS to {}: a controller without TLS, or one that refused this worker's certificate, "
        "ends the handshake this way)",
        config.controller_address);
  }
  return " (this worker dials in plaintext: a controller with TLS closes such connections; give --tls-ca)";
}

}  // namespace cast::worker
