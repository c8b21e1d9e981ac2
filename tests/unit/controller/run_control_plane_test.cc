// The control plane's settings from a RunConfig: the token's sources and
// the TLS files, and the combinations refused before any worker dials.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "controller/run/control_plane.h"

using namespace cast::controller;  // the code under test

namespace {

struct PemFolder {
  PemFolder() : dir(std::filesystem::temp_directory_path() / ("cast-control-plane-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir);
    write("cert.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    write("key.pem", "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n");
    write("not-pem.txt", "just text\n");
    write("token", "s3cret-from-file\n");
  }
  ~PemFolder() { std::filesystem::remove_all(dir); }
  void write(const std::string& name, const std::string& text) { std::ofstream{dir / name} << text; }
  std::string path(const std::string& name) const { return (dir / name).string(); }
  std::filesystem::path dir;
};

cast::controller::RunConfig remote_config(const PemFolder& pem) {
  cast::controller::RunConfig config;
  config.listen = "127.0.0.1:0";
  config.expect_workers = 2;
  config.tls_cert = pem.path("cert.pem");
  config.tls_key = pem.path("key.pem");
  return config;
}

std::string refusal(const cast::controller::RunConfig& config) {
  try {
    cast::controller::control_plane_config(config, 2);
  } catch (const cast::controller::ConfigError& e) {
    return e.what();
  }
  return "(accepted)";
}

}  // namespace

TEST_CASE("control plane: TLS files are read for remote workers, mutual TLS with a client CA") {
  PemFolder pem;
  auto config = remote_config(pem);
  config.tls_client_ca = pem.path("cert.pem");
  config.worker_token_file = pem.path("token");
  auto control = cast::controller::control_plane_config(config, 2);
  CHECK(control.tls.enabled());
  CHECK(control.tls.cert_chain.find("BEGIN CERTIFICATE") != std::string::npos);
  CHECK(control.tls.private_key.find("BEGIN PRIVATE KEY") != std::string::npos);
  CHECK_FALSE(control.tls.client_ca.empty());
  CHECK(control.auth_token == "s3cret-from-file");
}

TEST_CASE("control plane: TLS combinations that cannot work are refused, naming the flag or file") {
  PemFolder pem;
  auto no_key = remote_config(pem);
  no_key.tls_key.clear();
  CHECK(refusal(no_key).find("--tls-cert/--tls-key") == 0);

  auto client_ca_only = remote_config(pem);
  client_ca_only.tls_cert.clear();
  client_ca_only.tls_key.clear();
  client_ca_only.tls_client_ca = pem.path("cert.pem");
  CHECK(refusal(client_ca_only).find("--tls-client-ca") == 0);

  auto local_workers = remote_config(pem);
  local_workers.expect_workers = 0;
  CHECK(refusal(local_workers).find("--tls-cert: TLS on the control plane is for workers on other hosts") == 0);

  auto not_pem = remote_config(pem);
  not_pem.tls_cert = pem.path("not-pem.txt");
  CHECK(refusal(not_pem).find(pem.path("not-pem.txt") + ": the TLS certificate is not PEM text") == 0);

  auto missing = remote_config(pem);
  missing.tls_key = pem.path("absent.key");
  CHECK(refusal(missing).find(pem.path("absent.key") + ": cannot read the TLS private key") == 0);
}

TEST_CASE("control plane: the liveness deadlines of the run config reach the coordinator") {
  cast::controller::RunConfig config;
  config.worker_silence = std::chrono::milliseconds{4'000};
  config.reconnect_grace = std::chrono::milliseconds{2'500};
  auto plane = control_plane_config(config, 2);
  CHECK(plane.silence_timeout == std::chrono::milliseconds{4'000});
  CHECK(plane.reconnect_grace == std::chrono::milliseconds{2'500});
}
