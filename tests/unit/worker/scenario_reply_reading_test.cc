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

// Every answer above reads the same both ways.
void check_same_for_every_answer(const ReplyPointers& pointers) {
  for (const auto& text : kAnswers) {
    check_same(text, pointers);
  }
}

// Pointers other than v1's, in the order of ReplyPointers' fields.
ReplyPointers pointing_at(const char* type, const char* request_id, const char* agent_id, const char* user_id,
                          const char* code) {
  ReplyPointers pointers;
  pointers.type = json::json_pointer{type};
  pointers.request_id = json::json_pointer{request_id};
  pointers.agent_id = json::json_pointer{agent_id};
  pointers.user_id = json::json_pointer{user_id};
  pointers.code = json::json_pointer{code};
  return pointers;
}

TEST_CASE("an answer's fields read from its text are those read from the parsed answer (v1 pointers)") {
  ReplyPointers v1;
  check_same_for_every_answer(v1);
  auto started = read_reply_text(kAnswers[0], v1);
  CHECK(started.type == "agent_started");
  CHECK(started.request_id == "u-000001-r1");
  CHECK(started.agent_id == "ag-7");
  CHECK(read_reply_text(kAnswers[2], v1).request_id == "17");
  CHECK(read_reply_text(kAnswers[4], v1).type == "second");
  CHECK(read_reply_text(kAnswers[11], v1).type.empty());
}

TEST_CASE("nested, array-index and escaped pointers read the same from text as from the document") {
  auto nested = pointing_at("/op", "/list/1/id", "/data/agent", "/data/owner", "/0/type");
  check_same_for_every_answer(nested);
  auto odd = pointing_at("/a~1b", "/m~0n", "/list/01/id", "/list/-", "");
  check_same_for_every_answer(odd);
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
