#include <doctest/doctest.h>

#include "reference/backend/frames.h"

using cast::reference::ClientRequest;
using cast::reference::FrameProblem;
using cast::reference::parse_client_frame;
using cast::reference::RequestType;

namespace {

constexpr std::size_t kLimit = 65536;

ClientRequest accepted(const std::string& text) {
  auto parsed = parse_client_frame(text, kLimit);
  REQUIRE(std::holds_alternative<ClientRequest>(parsed));
  return std::get<ClientRequest>(parsed);
}

FrameProblem refused(const std::string& text, std::size_t limit = kLimit) {
  auto parsed = parse_client_frame(text, limit);
  REQUIRE(std::holds_alternative<FrameProblem>(parsed));
  return std::get<FrameProblem>(parsed);
}

}  // namespace

TEST_CASE("frames: each client message type is read with its fields") {
  auto start = accepted(R"({"type":"start_agent","request_id":"r1","context":{"canary":"c"}})");
  CHECK(start.type == RequestType::start_agent);
  CHECK(start.request_id == "r1");
  CHECK(start.context.at("canary") == "c");
  auto message = accepted(R"({"type":"user_message","request_id":"r2","agent_id":"a","content":"hi","extra":1})");
  CHECK(message.type == RequestType::user_message);
  CHECK(message.agent_id == "a");
  CHECK(message.content == "hi");
  CHECK(accepted(R"({"type":"get_state","request_id":"r3","agent_id":"a"})").type == RequestType::get_state);
  auto update = accepted(R"({"type":"update_state","request_id":"r4","agent_id":"a","patch":{"k":1}})");
  CHECK(update.type == RequestType::update_state);
  CHECK(update.patch.at("k") == 1);
}

TEST_CASE("frames: malformed frames are refused, keeping the request id when readable") {
  CHECK(refused("not json").request_id.empty());
  CHECK(refused("[1,2,3]").request_id.empty());
  CHECK(refused(R"({"request_id":"x1"})").request_id == "x1");
  CHECK(refused(R"({"type":"teleport","request_id":"x2"})").message.find("teleport") != std::string::npos);
  CHECK(refused(R"({"type":"user_message","request_id":"x3","agent_id":7,"content":"hi"})").request_id == "x3");
  CHECK(refused(R"({"type":"user_message","request_id":"x4","agent_id":"a","content":{}})").message.find("content") !=
        std::string::npos);
  CHECK(refused(R"({"type":"update_state","request_id":"x5","agent_id":"a","patch":"no"})").request_id == "x5");
  CHECK(refused(R"({"type":"update_state","request_id":"x5","agent_id":"a"})").message.find("patch") !=
        std::string::npos);
  CHECK(refused(R"({"type":"start_agent","request_id":"x6","context":"no"})").request_id == "x6");
  CHECK(refused(R"({"type":5})").request_id.empty());
  CHECK(refused(R"({"type":"get_state","request_id":9,"agent_id":"a"})").message.find("request_id") !=
        std::string::npos);
}

TEST_CASE("frames: a frame over the limit is refused even when well formed") {
  std::string frame = R"({"type":"get_state","request_id":"big","agent_id":")" + std::string(100, 'a') + "\"}";
  auto problem = refused(frame, 64);
  CHECK(problem.request_id == "big");
  CHECK(problem.message.find("limit") != std::string::npos);
  CHECK(std::holds_alternative<ClientRequest>(parse_client_frame(frame, frame.size())));
}

TEST_CASE("frames: error frames carry code, message and the request id when known") {
  auto frame = cast::reference::error_frame(cast::reference::ErrorCode::not_found, "no agent a", "r9");
  CHECK(frame.at("type") == "error");
  CHECK(frame.at("code") == "not_found");
  CHECK(frame.at("request_id") == "r9");
  CHECK_FALSE(cast::reference::error_frame(cast::reference::ErrorCode::bad_request, "x", "").contains("request_id"));
}

TEST_CASE("frames: the agent reply quotes the message and the context, cut on a UTF-8 boundary") {
  nlohmann::json context{{"canary", "cst_x"}, {"name", "Zoë"}};
  auto reply = cast::reference::agent_reply("hello", context);
  CHECK(reply.find("hello") != std::string::npos);
  CHECK(reply.find(context.dump()) != std::string::npos);
  nlohmann::json wide{{"text", std::string(3000, 'x') + "ëëëëëëëëëë"}};
  for (std::size_t cut = 3005; cut < 3030; ++cut) {
    auto shortened = cast::reference::agent_reply("q", wide, cut);
    CHECK_NOTHROW((void)nlohmann::json(shortened).dump());
  }
}
