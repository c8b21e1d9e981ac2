#pragma once

// Certificates for TLS tests, made with the openssl command line in a
// folder of the test's: a CA, a server certificate for 127.0.0.1 and a
// client certificate, both signed by it, and a second CA that signed
// neither (for "wrong CA" cases). PEM files.

#include <filesystem>

namespace cast::test {

struct TestCertificates {
  std::filesystem::path ca, other_ca;
  std::filesystem::path server_cert, server_key;
  std::filesystem::path client_cert, client_key;
};

// Throws std::runtime_error naming the openssl step that failed.
TestCertificates make_test_certificates(const std::filesystem::path& folder);

}  // namespace cast::test
