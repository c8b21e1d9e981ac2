#include "controller/run/control_plane.h"

#include <fstream>
#include <sstream>

#include "common/crypto/encoding.h"
#include "common/crypto/hmac.h"
#include "common/protocol/control_version.h"

namespace cast::controller {
namespace {

std::string read_pem(const std::string& path, const char* what) {
  if (path.empty()) return {};
  std::ifstream in{path};
  if (!in) throw ConfigError(path, std::string{"cannot read the "} + what);
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().find("-----BEGIN") == std::string::npos) {
    throw ConfigError(path, std::string{"the "} + what + " is not PEM text");
  }
  return text.str();
}

controller::ServerTls tls_of(const RunConfig& config) {
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    throw ConfigError("--tls-cert/--tls-key", "TLS needs both a certificate and its private key");
  }
  if (!config.tls_client_ca.empty() && config.tls_cert.empty()) {
    throw ConfigError("--tls-client-ca", "mutual TLS needs the controller's own --tls-cert and --tls-key too");
  }
  if (!config.tls_cert.empty() && config.expect_workers == 0) {
    // Local workers dial 127.0.0.1 and carry no CA or certificate.
    throw ConfigError("--tls-cert",
                      "TLS on the control plane is for workers on other hosts (cast controller, "
                      "--expect-workers); cast run's local workers dial in plaintext");
  }
  return {read_pem(config.tls_cert, "TLS certificate"), read_pem(config.tls_key, "TLS private key"),
          read_pem(config.tls_client_ca, "TLS client CA")};
}

}  // namespace

std::string read_token_file(const std::string& path) {
  std::ifstream in{path};
  if (!in) throw ConfigError(path, "cannot read the worker token file");
  std::stringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) throw ConfigError(path, "the worker token file is empty");
  return token;
}

controller::CoordinatorConfig control_plane_config(const RunConfig& config, std::size_t expected_workers) {
  controller::CoordinatorConfig c;
  auto colon = config.listen.rfind(':');
  c.listen_host = config.listen.substr(0, colon);
  c.port = static_cast<std::uint16_t>(std::stoi(config.listen.substr(colon + 1)));
  c.auth_token = !config.worker_token_file.empty() ? read_token_file(config.worker_token_file)
                 : !config.worker_token.empty()    ? config.worker_token
                                                   : hex_encode(random_bytes(16));
  c.silence_timeout = config.worker_silence;
  c.reconnect_grace = config.reconnect_grace;
  c.admission.expected_workers = expected_workers;
  c.admission.protocol_version = 0;  // checked once workers send it
  c.tls = tls_of(config);
  return c;
}

}  // namespace cast::controller
