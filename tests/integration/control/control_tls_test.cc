// The control plane over TLS and mutual TLS, real gRPC on 127.0.0.1, with
// certificates made by the openssl command line for this test: a run that
// passes, and each way a worker can get TLS wrong, failing at once with a
// reason that names the controller. The shared token appears in no log.
#include <doctest/doctest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <sstream>

#include "controller/coordination/coordinator.h"
#include "tests/integration/control/loopback_control.h"
#include "tests/support/grpc_callback_queue.h"
#include "tests/support/run_processes.h"
#include "tests/support/test_certificates.h"
#include "worker/control/controller_link.h"
#include "worker/control/link_tls.h"  // FirstContact: which first failures are retried

using namespace cast::controller;  // the code under test

using namespace std::chrono_literals;
using cast::worker::ControllerLink;
using cast::worker::ControllerLinkConfig;
using namespace cast::test;

namespace {

constexpr auto patience = 60s;  // generous: the machine is shared
const std::string kToken = "tls-test-token-5f2c";

// Every spdlog line of this process, to check the token is in none.
class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(text_)) {
    spdlog::default_logger()->sinks().push_back(sink_);
    spdlog::set_level(spdlog::level::debug);
  }
  ~LogCapture() {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  }
  std::string text() {
    sink_->flush();
    return text_.str();
  }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
};

struct Certificates {
  Certificates() : dir(fresh_folder("cast-tls")), files(make_test_certificates(dir)) {}
  ~Certificates() { std::filesystem::remove_all(dir); }
  std::string pem(const std::filesystem::path& file) const { return slurp_file(file); }
  std::filesystem::path dir;
  TestCertificates files;
};

const Certificates& certificates() {
  static const Certificates made;
  return made;
}

CoordinatorConfig controller_config(bool mutual) {
  keep_grpc_callback_queue();
  const auto& c = certificates();
  CoordinatorConfig config;
  config.auth_token = kToken;
  config.tls = {c.pem(c.files.server_cert), c.pem(c.files.server_key), mutual ? c.pem(c.files.ca) : ""};
  return config;
}

std::string address_of(std::uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

ControllerLinkConfig link_config(std::uint16_t port, const std::string& worker_id) {
  auto config = loopback_link_config(port, worker_id, kToken);
  config.heartbeat_interval = 50ms;
  // Bounded even if a TLS failure were retried: the checks below then fail.
  config.give_up_after = 10s;
  return config;
}

cast::worker::ClientTls trusting(const std::filesystem::path& ca, bool with_certificate = false) {
  const auto& c = certificates();
  cast::worker::ClientTls tls;
  tls.ca = c.pem(ca);
  if (with_certificate) {
    tls.cert_chain = c.pem(c.files.client_cert);
    tls.private_key = c.pem(c.files.client_key);
  }
  return tls;
}

// A whole run for one worker: assignment, ready, go, one event, done, release.
void run_one_worker(Coordinator& coordinator, ControllerLink& link) {
  ready_with_one_user(coordinator, link, "w-tls", "run-tls-test");
  coordinator.broadcast_go(20ms);
  REQUIRE(link.wait_for_go(patience));
  cast::v1::Event event;
  event.set_kind(cast::v1::STEP_TIMING);
  link.emit(event);
  link.report_done(cast::v1::Done{});
  CHECK(coordinator.wait_for_finish(patience));
  CHECK(link.wait_until_acknowledged(patience));
  CHECK(link.close(patience));
}

// The reason a link that cannot get through gives for stopping.
std::string refusal_of(ControllerLink& link) {
  link.start();
  CHECK_FALSE(link.wait_for_assignment(patience));
  return link.failure().value_or("(no failure)");
}

}  // namespace

TEST_CASE("a worker trusting the controller's CA runs over TLS, and with its certificate over mutual TLS") {
  LogCapture logs;
  for (bool mutual : {false, true}) {
    CAPTURE(mutual);
    std::uint64_t events = 0;
    Coordinator coordinator(controller_config(mutual),
                            [&](const std::string&, std::vector<cast::v1::Event>&& batch) { events += batch.size(); });
    auto port = coordinator.start();
    auto config = link_config(port, "w-tls");
    config.tls = trusting(certificates().files.ca, mutual);
    ControllerLink link(config);
    run_one_worker(coordinator, link);
    CHECK(events == 1);
    CHECK_FALSE(link.failure());
  }
  auto text = logs.text();
  CHECK(text.find("(mutual TLS)") != std::string::npos);
  CHECK(text.find(kToken) == std::string::npos);
}

TEST_CASE("a worker without a certificate is refused by a controller that requires one, with the reason") {
  LogCapture logs;
  Coordinator coordinator(controller_config(true), nullptr);
  auto port = coordinator.start();
  auto config = link_config(port, "w-nocert");
  config.tls = trusting(certificates().files.ca);
  ControllerLink link(config);
  auto reason = refusal_of(link);
  CHECK(reason.find("the controller at " + address_of(port) + " closed the connection during the TLS handshake") !=
        std::string::npos);
  CHECK(reason.find("requires a worker certificate") != std::string::npos);
  CHECK(coordinator.workers().empty());
  CHECK(logs.text().find(kToken) == std::string::npos);
}

TEST_CASE("a worker trusting another CA, or expecting another name, stops with an error naming the controller") {
  Coordinator coordinator(controller_config(false), nullptr);
  auto port = coordinator.start();
  SUBCASE("another CA") {
    auto config = link_config(port, "w-other-ca");
    config.tls = trusting(certificates().files.other_ca);
    ControllerLink link(config);
    auto reason = refusal_of(link);
    CHECK(reason.find("TLS handshake with the controller at " + address_of(port) + " failed") != std::string::npos);
    CHECK(reason.find("--tls-ca") != std::string::npos);
  }
  SUBCASE("another name") {
    auto config = link_config(port, "w-other-name");
    config.tls = trusting(certificates().files.ca);
    config.tls.server_name = "controller.elsewhere.example";
    ControllerLink link(config);
    auto reason = refusal_of(link);
    CHECK(reason.find("TLS handshake with the controller at " + address_of(port)) != std::string::npos);
  }
  SUBCASE("the right name, given explicitly") {
    auto config = link_config(port, "w-tls");
    config.tls = trusting(certificates().files.ca);
    config.tls.server_name = "localhost";
    ControllerLink link(config);
    run_one_worker(coordinator, link);
  }
  CHECK(coordinator.workers().size() <= 1);
}

TEST_CASE("a plaintext worker against a TLS controller stops saying it dials in plaintext") {
  Coordinator coordinator(controller_config(false), nullptr);
  auto port = coordinator.start();
  ControllerLink link(link_config(port, "w-plain"));
  auto reason = refusal_of(link);
  CHECK(reason.find("the controller at " + address_of(port) + " closed the connection") != std::string::npos);
  CHECK(reason.find("this worker dials in plaintext and the controller speaks TLS") != std::string::npos);
  CHECK(coordinator.workers().empty());
}

TEST_CASE("cast worker dials with --tls-ca, --tls-cert and --tls-key, the token only in its environment") {
  const auto& c = certificates();
  Coordinator coordinator(controller_config(true), nullptr);
  auto address = address_of(coordinator.start());
  auto dir = fresh_folder("cast-tls-worker");
  auto good = start_cast_worker(address, kToken, "w-cli", dir / "good.txt",
                                {"--tls-ca", c.files.ca.string(), "--tls-cert", c.files.client_cert.string(),
                                 "--tls-key", c.files.client_key.string(), "--verbose"});
  auto attached = coordinator.wait_for_workers(1, patience);
  CHECK(attached.front().worker_id == "w-cli");
  good.terminate(5s);

  auto wrong = start_cast_worker(address, kToken, "w-cli-wrong", dir / "wrong.txt",
                                 {"--tls-ca", c.files.other_ca.string(), "--verbose"});
  auto status = wrong.wait_for(patience);
  REQUIRE(status.has_value());
  CHECK(status->code == 3);
  auto wrong_log = slurp_file(dir / "wrong.txt");
  CHECK(wrong_log.find("TLS handshake with the controller at " + address) != std::string::npos);

  auto half =
      start_cast_worker(address, kToken, "w-cli-half", dir / "half.txt", {"--tls-cert", c.files.client_cert.string()});
  auto half_status = half.wait_for(patience);
  REQUIRE(half_status.has_value());
  CHECK(half_status->code == 2);
  CHECK(slurp_file(dir / "half.txt").find("--tls-key") != std::string::npos);

  for (const auto* log : {"good.txt", "wrong.txt", "half.txt"}) {
    CAPTURE(log);
    CHECK(slurp_file(dir / log).find(kToken) == std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

// A handshake whose connection broke (TSan showed a slow controller cut one
// short) is retried like a closed connection; a certificate that does not
// verify fails at once, since retrying cannot change it.
TEST_CASE("a handshake cut short is retried, a refused certificate is not") {
  auto config = link_config(1, "w-first-contact");
  config.tls = trusting(certificates().files.ca);
  const grpc::Status cut(grpc::StatusCode::UNKNOWN, "failed to connect to all addresses; Handshake read failed");
  cast::worker::FirstContact contact;
  for (int attempt = 1; attempt < cast::worker::FirstContact::kClosedInARow; ++attempt) {
    CAPTURE(attempt);
    CHECK_FALSE(contact.failure(config, cut).has_value());
  }
  auto gave_up = contact.failure(config, cut);
  REQUIRE(gave_up.has_value());
  CHECK(gave_up->find("times in a row") != std::string::npos);

  const grpc::Status refused(grpc::StatusCode::UNKNOWN, "Ssl handshake failed: certificate verify failed");
  auto failure = cast::worker::FirstContact{}.failure(config, refused);
  REQUIRE(failure.has_value());
  CHECK(failure->find("TLS handshake with the controller") != std::string::npos);
}
