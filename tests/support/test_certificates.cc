#include "tests/support/test_certificates.h"

#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/process/child_process.h"

namespace cast::test {
namespace {

void openssl(const std::vector<std::string>& args, const std::filesystem::path& folder) {
  ChildProcess step{
      ProcessSpec{.program = "openssl", .args = args, .working_dir = folder, .log_file = folder / "openssl.log"}};
  auto status = step.wait_for(std::chrono::seconds{60});
  if (!status || status->code != 0) {
    throw std::runtime_error("openssl " + args.front() + " failed in " + folder.string() + " (see openssl.log)");
  }
}

void make_ca(const std::string& name, const std::filesystem::path& folder) {
  openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + name, "-keyout",
           name + ".key", "-out", name + ".pem"},
          folder);
}

void make_signed(const std::string& name, const std::string& ca, const std::string& extensions,
                 const std::filesystem::path& folder) {
  openssl(
      {"req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + name, "-keyout", name + ".key", "-out", name + ".csr"},
      folder);
  std::ofstream{folder / (name + ".ext")} << extensions << "\n";
  openssl({"x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key", "-CAcreateserial", "-days",
           "2", "-extfile", name + ".ext", "-out", name + ".pem"},
          folder);
}

}  // namespace

TestCertificates make_test_certificates(const std::filesystem::path& folder) {
  std::filesystem::create_directories(folder);
  make_ca("cast-test-ca", folder);
  make_ca("cast-other-ca", folder);
  make_signed("controller", "cast-test-ca", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth",
              folder);
  make_signed("worker", "cast-test-ca", "extendedKeyUsage=clientAuth", folder);
  return {folder / "cast-test-ca.pem", folder / "cast-other-ca.pem", folder / "controller.pem",
          folder / "controller.key",   folder / "worker.pem",        folder / "worker.key"};
}

}  // namespace cast::test
