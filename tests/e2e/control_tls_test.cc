// A whole `cast controller` run over mutual TLS, as on several hosts: the
// controller and two `cast worker` processes with certificates made by the
// openssl command line, the token only in their environment. The run
// passes, and the token is in no output, log or report.
#include <doctest/doctest.h>

#include "common/process/loopback_port.h"
#include "tests/support/run_processes.h"
#include "tests/support/test_certificates.h"

using namespace std::chrono_literals;
using namespace cast::test;

namespace {

const std::string kToken = "e2e-mtls-token-81d0c4";

}  // namespace

TEST_CASE("cast controller and two cast workers run the suite over mutual TLS; the token appears nowhere") {
  auto dir = fresh_folder("cast-e2e-mtls");
  auto certs = make_test_certificates(dir / "certs");
  auto address = "127.0.0.1:" + std::to_string(cast::free_loopback_port());
  cast::ChildProcess controller{
      cast_controller_spec(address, kToken, dir, 2, 8,
                           {"--tls-cert", certs.server_cert.string(), "--tls-key", certs.server_key.string(),
                            "--tls-client-ca", certs.ca.string()})};
  const std::vector<std::string> tls{"--tls-ca",  certs.ca.string(),        "--tls-cert", certs.client_cert.string(),
                                     "--tls-key", certs.client_key.string()};
  auto first = start_cast_worker(address, kToken, "mtls-1", dir / "w1.txt", tls, 8);
  auto second = start_cast_worker(address, kToken, "mtls-2", dir / "w2.txt", tls, 8);

  auto status = controller.wait_for(5min);
  REQUIRE(status.has_value());
  auto console = slurp_file(dir / "controller.txt");
  INFO(console);
  CHECK(status->code == 0);
  auto report = nlohmann::json::parse(slurp_file(dir / "report.json"));
  for (const auto* id : {"mtls-1", "mtls-2"}) {
    auto worker = report_worker(report, id);
    REQUIRE(worker.is_object());
    CHECK(worker["users_finished"].get<int>() > 0);
  }
  CHECK(slurp_file(dir / "run.log").find("(mutual TLS)") != std::string::npos);
  for (auto* worker : {&first, &second}) worker->terminate(10s);
  for (const auto* file : {"controller.txt", "run.log", "report.json", "w1.txt", "w2.txt"}) {
    CAPTURE(file);
    CHECK(slurp_file(dir / file).find(kToken) == std::string::npos);
  }
  std::filesystem::remove_all(dir);
}
