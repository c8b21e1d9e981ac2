#pragma once

// Internal to the control link: how the worker dials the controller
// (plaintext, TLS, mutual TLS) and what a failed first contact means.

#include <grpcpp/grpcpp.h>

#include <optional>
#include <string>

#include "worker/control/controller_link.h"

namespace cast::worker {

// The channel to the controller, with the link's keepalive and reconnect
// tuning; TLS when the config asks for it (ClientTls::enabled()).
std::shared_ptr<grpc::Channel> dial_controller(const ControllerLinkConfig& config);

// Judges the streams that fail before any stream to this controller ever
// worked: a failure message when retrying cannot help, else nothing. That is
// a failed TLS handshake (wrong CA, wrong name), or the controller closing
// the connection during the handshake again and again (it wants a worker
// certificate, rejects this one, or speaks TLS to a plaintext worker): a
// controller that is not up yet refuses the connection instead. Names the
// controller's address and the flags to check. Used by the link's thread only.
class FirstContact {
 public:
  static constexpr int kClosedInARow = 5;  // handshakes cut short before giving up
  std::optional<std::string> failure(const ControllerLinkConfig& config, const grpc::Status& status);

 private:
  int closed_in_a_row_ = 0;
};

// Said when a worker gives up without ever reaching the controller: what to
// check about TLS, or an empty string when there is nothing to add.
std::string never_reached_hint(const ControllerLinkConfig& config);

}  // namespace cast::worker
