#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "worker/scenario/scenario.h"

namespace cast::worker {
namespace {

using nlohmann::json;

// The fields read from the text must be those read from the parsed
// document, whatever the answer looks like.
void check_same(const std::string& text, const ReplyPointers& pointers) {
  CAPTURE(text);
  auto parsed = json::parse(text, nullptr, false);
  auto from_document = parsed.is_discarded() ? ReplyFields{} : read_reply(parsed, pointers);
  auto from_text = read_reply_text(text, pointers);
  CHECK(from_text.type == from_document.type);
  CHECK(from_text.request_id == from_document.request_id);
  CHECK(from_text.agent_id == from_document.agent_id);
  CHECK(from_text.user_id == from_document.user_id);
  CHECK(from_text.code == from_document.code);
}

const std::vector<std::string> kAnswers{
    R"({"type":"agent_started","request_id":"u-000001-r1","agent_id":"ag-7","startup_ms":41})",
    R"({"type":"error","code":"not_found","request_id":"u-000002-r4"})",
    R"({"request_id":17,"agent_id":-3,"user_id":2.5,"code":1e3,"type":null})",
    R"({"type":true,"request_id":{"nested":"x"},"agent_id":["a"],"user_id":false})",
    R"({"type":"first","type":"second","agent_id":"a1","agent_id":{"x":1}})",
    R"({"type":"t","data":{"agent":"x-9","owner":"u-7"},"rid":"r1","list":[{"id":"a"},{"id":"b"}]})",
    R"({"op":"agent.ready","data":{"agent":"x-9"},"data":{"owner":"u-8"}})",
    R"({"op":"agent.ready","data":{"agent":"x-9"},"data":5})",
    R"([{"type":"in an array"},{"type":"second"}])",
    R"("just a string")",
    R"(42)",
    R"({"type":"unterminated")",
    R"({"type":"trailing"} x)",
    R"({"type":"caf\u00e9 \"quoted\"","request_id":"\ud83d\ude00"})",
    "{\"type\":\"bad utf-8 \xff\"}",
    R"()",
    R"({})",
};

TEST_CASE("an answer's fields read from its text are those read from the parsed answer (v1 pointers)") {
  ReplyPointers v1;
  for (const auto& text : kAnswers) {
    check_same(text, v1);
  }
  auto started = read_reply_text(kAnswers[0], v1);
  CHECK(started.type == "agent_started");
  CHECK(started.request_id == "u-000001-r1");
  CHECK(started.agent_id == "ag-7");
  CHECK(read_reply_text(kAnswers[2], v1).request_id == "17");
  CHECK(read_reply_text(kAnswers[4], v1).type == "second");
  CHECK(read_reply_text(kAnswers[11], v1).type.empty());
}

TEST_CASE("nested, array-index and escaped pointers read the same from text as from the document") {
  ReplyPointers nested;
  nested.type = json::json_pointer{"/op"};
  nested.request_id = json::json_pointer{"/list/1/id"};
  nested.agent_id = json::json_pointer{"/data/agent"};
  nested.user_id = json::json_pointer{"/data/owner"};
  nested.code = json::json_pointer{"/0/type"};
  for (const auto& text : kAnswers) {
    check_same(text, nested);
  }
  ReplyPointers odd;
  odd.type = json::json_pointer{"/a~1b"};
  odd.request_id = json::json_pointer{"/m~0n"};
  odd.agent_id = json::json_pointer{"/list/01/id"};
  odd.user_id = json::json_pointer{"/list/-"};
  odd.code = json::json_pointer{""};
  for (const auto& text : kAnswers) {
    check_same(text, odd);
  }
  std::string escaped = R"({"a/b":"slash","m~n":"tilde","list":[1,{"id":"b"}]})";
  check_same(escaped, odd);
  auto fields = read_reply_text(escaped, odd);
  CHECK(fields.type == "slash");
  CHECK(fields.request_id == "tilde");
  CHECK(fields.code.empty());
  auto listed = read_reply_text(kAnswers[5], nested);
  CHECK(listed.request_id == "b");
  CHECK(listed.agent_id == "x-9");
  CHECK(read_reply_text(kAnswers[7], nested).agent_id.empty());
}

}  // namespace
}  // namespace cast::worker
