// wss:// against an in-test TLS server with a certificate made in the test:
// verification on refuses it, `insecure` accepts it. The controller's
// blocking HTTP client shares the TLS setup and is held to the same.
#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <memory>
#include <nlohmann/json.hpp>

#include "common/net/http_client.h"
#include "tests/integration/worker/collecting_sink.h"
#include "tests/integration/worker/tiny_platform.h"
#include "tests/support/eventually.h"

namespace cast::test {
namespace {

using nlohmann::json;

std::string pem_of(const std::function<int(BIO*)>& write) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  REQUIRE(write(bio.get()) == 1);
  char* data = nullptr;
  auto size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

// A self-signed certificate for 127.0.0.1 (CN and SAN), so that the only
// thing a verifying client can hold against it is that nobody vouches for it.
std::pair<std::string, std::string> self_signed_certificate() {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  REQUIRE(key);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.get());
  auto* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX context;
  X509V3_set_ctx(&context, cert.get(), cert.get(), nullptr, nullptr, 0);
  auto* san = X509V3_EXT_conf_nid(nullptr, &context, NID_subject_alt_name, "IP:127.0.0.1");
  REQUIRE(san != nullptr);
  X509_add_ext(cert.get(), san, -1);
  X509_EXTENSION_free(san);
  REQUIRE(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0);
  return {pem_of([&](BIO* bio) { return PEM_write_bio_X509(bio, cert.get()); }), pem_of([&](BIO* bio) {
            return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
          })};
}

// Protocol v1, just enough for the default scenario.
TinyRoutes protocol_v1_routes() {
  TinyRoutes routes;
  routes.http = [](const std::string& method, const std::string& target, const std::string&,
                   const std::string&) -> TinyAnswer {
    if (method == "POST" && target == "/auth/token") {
      return {200, R"({"access_token":"tok","token_type":"Bearer","expires_in":900})"};
    }
    return {200, json{{"agent_id", target.substr(12, target.size() - 18)}, {"state", json::object()}}.dump()};
  };
  routes.frame = [](const std::string& text) -> std::vector<std::string> {
    auto request = json::parse(text);
    auto type = request["type"].get<std::string>();
    auto answer = json{{"request_id", request["request_id"]}, {"agent_id", "ag-tls"}};
    answer["type"] = type == "start_agent" ? "agent_started" : type == "get_state" ? "agent_state" : "agent_response";
    return {answer.dump()};
  };
  return routes;
}

struct TlsPlatform {
  TlsPlatform() : tls(boost::asio::ssl::context::tls_server) {
    auto [cert, key] = self_signed_certificate();
    tls.use_certificate_chain(boost::asio::buffer(cert));
    tls.use_private_key(boost::asio::buffer(key), boost::asio::ssl::context::pem);
    secure = std::make_unique<TinyPlatform>(protocol_v1_routes(), &tls);
  }

  worker::RunSetup setup(bool insecure) const {
    worker::RunSetup setup;
    setup.run_id = "tlsrun01";
    setup.auth_url = plain.http_url();
    setup.backend_url = secure->http_url();
    setup.ws_url = secure->ws_url();
    setup.insecure_tls = insecure;
    return setup;
  }

  boost::asio::ssl::context tls;
  TinyPlatform plain{protocol_v1_routes()};
  std::unique_ptr<TinyPlatform> secure;
};

}  // namespace

TEST_CASE("wss:// with peer verification on refuses a self-signed certificate in the connect phase") {
  TlsPlatform platform;
  CollectingSink sink;
  auto summary = run_users(platform.setup(false), sink, make_user_specs(3, "tlsrun01"));
  CHECK(summary.failed == 3);
  CHECK(summary.errors_by_kind["tls"] == 3);
  auto failures = sink.of_kind(cast::v1::USER_FAILED);
  REQUIRE(failures.size() == 3);
  for (const auto& failure : failures) {
    CHECK(failure.phase() == cast::v1::PHASE_CONNECT);
    CHECK(failure.error_kind() == "tls");
    CHECK(failure.error_message().find(platform.secure->ws_url()) != std::string::npos);
  }
  // The server counts a refused handshake when its own side of it fails,
  // which may come after the client has given up (it did under TSan).
  CHECK(eventually([&] { return platform.secure->tls_handshakes_failed() >= 3; }));
}

TEST_CASE("wss:// and https:// with `insecure` accept the self-signed certificate and run every step") {
  TlsPlatform platform;
  CollectingSink sink;
  auto summary = run_users(platform.setup(true), sink, make_user_specs(3, "tlsrun01"));
  CHECK(summary.succeeded == 3);
  CHECK(summary.failed == 0);
  // The connect phase over TLS reports all three stages: tcp, tls, upgrade.
  auto stages = sink.of_kind(cast::v1::STEP_TIMING);
  CHECK(stages.size() == 9);
  int tls_stages = 0;
  for (const auto& stage : stages) {
    CHECK(stage.phase() == cast::v1::PHASE_CONNECT);
    tls_stages += stage.step() == 1 ? 1 : 0;
  }
  CHECK(tls_stages == 3);
  // Each user's token answer (its head only: the body is a secret) and its state read.
  auto answers = sink.of_kind(cast::v1::REST_ANSWER);
  CHECK(answers.size() == 6);
  std::size_t with_body = 0;
  for (const auto& answer : answers) {
    CHECK_FALSE(answer.head().empty());
    with_body += answer.payload().empty() ? 0 : 1;
  }
  CHECK(with_body == 3);
}

TEST_CASE("the controller's https client shares the setup: verification refuses the certificate, insecure accepts it") {
  TlsPlatform platform;
  HttpRequest request{"POST", platform.secure->http_url() + "/auth/token", "{}", {}, std::chrono::seconds{30}};
  CHECK_THROWS_AS(http_request(request), HttpError);
  request.verify_peer = false;
  auto answer = http_request(request);
  CHECK(answer.status == 200);
  CHECK(answer.body.find("access_token") != std::string::npos);
}

}  // namespace cast::test
