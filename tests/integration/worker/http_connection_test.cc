// The keep-alive HTTP connection of worker/transport against a tiny server
// whose connections live as long as each case says: reused while the server
// keeps it, reopened (and the request sent again, once) when the server has
// closed it meanwhile, and a fresh connection's failure reported as it is.
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <set>

#include "tests/integration/worker/tiny_platform.h"
#include "worker/transport/http_call.h"
#include "worker/transport/service_endpoint.h"

namespace cast::test {
namespace {

using worker::HttpCallRequest;
using worker::HttpConnection;
using worker::HttpOutcome;

// Answers every request with its own number, so that each answer can be
// matched to the request it belongs to.
TinyRoutes numbered_routes(int answers_per_connection, bool announce_close) {
  TinyRoutes routes;
  auto served = std::make_shared<std::atomic<int>>(0);
  routes.http = [served](const std::string&, const std::string& target, const std::string&,
                         const std::string&) -> TinyAnswer {
    return {200, R"({"answer":)" + std::to_string(++*served) + R"(,"target":")" + target + "\"}"};
  };
  routes.answers_per_connection = answers_per_connection;
  routes.announce_close = announce_close;
  return routes;
}

// `count` calls on `connection`, each one sent when the one before it was answered.
std::vector<HttpOutcome> calls_in_turn(boost::asio::io_context& ioc, HttpConnection& connection, int count) {
  std::vector<HttpOutcome> outcomes;
  std::function<void()> next = [&] {
    HttpCallRequest request;
    request.target = "/call/" + std::to_string(outcomes.size() + 1);
    request.bearer = "one-and-the-same";
    connection.call(std::move(request), [&](HttpOutcome&& outcome) {
      outcomes.push_back(std::move(outcome));
      if (static_cast<int>(outcomes.size()) < count) {
        next();
      }
    });
  };
  next();
  ioc.run();
  return outcomes;
}

void check_answered_in_order(const std::vector<HttpOutcome>& outcomes, int count) {
  REQUIRE(outcomes.size() == static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    CAPTURE(i);
    CHECK(outcomes[i].failure.kind.empty());
    CHECK(outcomes[i].status == 200);
    CHECK(outcomes[i].body.find("\"/call/" + std::to_string(i + 1) + "\"") != std::string::npos);
  }
}

// A tiny server with the given routes and one keep-alive connection to it.
struct KeptConnectionRig {
  explicit KeptConnectionRig(TinyRoutes routes)
      : platform(std::move(routes)),
        endpoint(worker::resolve_service(platform.http_url())),
        connection(worker::make_http_connection(ioc, endpoint, nullptr, false)) {}

  std::vector<HttpOutcome> calls_in_turn(int count) { return test::calls_in_turn(ioc, *connection, count); }

  TinyPlatform platform;
  worker::ServiceEndpoint endpoint;
  boost::asio::io_context ioc;
  std::shared_ptr<HttpConnection> connection;
};

}  // namespace

TEST_CASE("consecutive calls ride one connection while the server keeps it alive") {
  KeptConnectionRig rig{numbered_routes(100, true)};
  auto outcomes = rig.calls_in_turn(4);
  check_answered_in_order(outcomes, 4);
  CHECK(rig.connection->connections_opened() == 1);
  CHECK(rig.platform.connections_accepted() == 1);
  for (const auto& request : rig.platform.requests()) {
    CHECK(request.connection == 1);
    CHECK(request.authorization == "Bearer one-and-the-same");
  }
}

TEST_CASE(
    "a connection the server closed after a keep-alive answer is reopened and the call sent again, never failed") {
  KeptConnectionRig rig{numbered_routes(1, false)};
  auto outcomes = rig.calls_in_turn(4);
  check_answered_in_order(outcomes, 4);
  CHECK(rig.connection->connections_opened() == 4);
  // Each request reached the server once: the stale connection never carried it.
  auto requests = rig.platform.requests();
  REQUIRE(requests.size() == 4);
  std::set<int> connections;
  for (const auto& request : requests) {
    connections.insert(request.connection);
  }
  CHECK(connections.size() == 4);
}

TEST_CASE("after an answer with Connection: close the next call opens a new connection") {
  KeptConnectionRig rig{numbered_routes(2, true)};
  auto outcomes = rig.calls_in_turn(5);
  check_answered_in_order(outcomes, 5);
  CHECK(rig.connection->connections_opened() == 3);
  CHECK(rig.platform.connections_accepted() == 3);
}

TEST_CASE("a fresh connection's failure is the call's outcome, with no second attempt") {
  std::string closed_port_url;
  {
    boost::asio::io_context probe;
    boost::asio::ip::tcp::acceptor taken(probe, {boost::asio::ip::make_address("127.0.0.1"), 0});
    closed_port_url = "http://127.0.0.1:" + std::to_string(taken.local_endpoint().port());
  }  // closed again: nothing listens there now
  auto endpoint = worker::resolve_service(closed_port_url);
  boost::asio::io_context ioc;
  auto connection = worker::make_http_connection(ioc, endpoint, nullptr, false);
  auto outcomes = calls_in_turn(ioc, *connection, 1);
  REQUIRE(outcomes.size() == 1);
  CHECK(outcomes[0].failure.kind == "refused");
  CHECK(outcomes[0].failure.message.find(closed_port_url) != std::string::npos);
  CHECK(connection->connections_opened() == 1);
}

TEST_CASE("a cancelled call never answers, and the next call on the connection does") {
  KeptConnectionRig rig{numbered_routes(100, true)};
  int cancelled_answers = 0;
  rig.connection->call({}, [&](HttpOutcome&&) { ++cancelled_answers; });
  rig.connection->cancel();
  auto outcomes = rig.calls_in_turn(2);
  CHECK(cancelled_answers == 0);
  check_answered_in_order(outcomes, 2);
}

}  // namespace cast::test
