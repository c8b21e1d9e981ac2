#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "common/crypto/encoding.h"
#include "controller/isolation/payload_forms.h"

using namespace cast::controller;  // the code under test

namespace {

using cast::controller::DecodedForm;

std::vector<DecodedForm> forms_of(const std::string& payload) {
  std::vector<DecodedForm> forms;
  cast::controller::append_decoded_forms(payload, forms);
  return forms;
}

const DecodedForm* form_labelled(const std::vector<DecodedForm>& forms, const std::string& label) {
  for (const DecodedForm& form : forms) {
    if (form.label == label) {
      return &form;
    }
  }
  return nullptr;
}

}  // namespace

TEST_CASE("isolation forms: a plain payload has no decoded form") {
  CHECK(forms_of(R"({"type":"agent_response","content":"You said: \"hi\" ok"})").empty());
  CHECK(forms_of("").empty());
}

TEST_CASE("isolation forms: JSON escapes are undone in valid and in cut-off JSON") {
  std::string valid = R"({"type":"x","n\u0061me":"\u0063st_ab\/cd","list":["caf\u00e9","\ud83d\ude00"]})";
  std::string decoded = cast::controller::json_unescaped(valid);
  CHECK(decoded.find("cst_ab/cd") != std::string::npos);
  CHECK(decoded.find("name") != std::string::npos);
  CHECK(decoded.find("caf\xc3\xa9") != std::string::npos);
  CHECK(decoded.find("\xf0\x9f\x98\x80") != std::string::npos);

  std::string cut = R"({"content":"hello \u0063st_ab12 and \"quoted\" and \ud83d\ude00 and \u00)";
  std::string lenient = cast::controller::json_unescaped(cut);
  CHECK(lenient.find("hello cst_ab12 and \"quoted\"") != std::string::npos);
  CHECK(lenient.find("\xf0\x9f\x98\x80") != std::string::npos);
  CHECK(lenient.ends_with("\\u00"));  // an escape cut in half stays as it was

  auto forms = forms_of(cut);
  REQUIRE(form_labelled(forms, "json") != nullptr);
}

TEST_CASE("isolation forms: URL encoding is undone") {
  auto forms = forms_of("GET /x?email=u-000001%40ab12cd34.cast.test&name=Cast+User");
  const DecodedForm* url = form_labelled(forms, "url");
  REQUIRE(url != nullptr);
  CHECK(url->text.find("u-000001@ab12cd34.cast.test") != std::string::npos);
  CHECK(url->text.find("Cast User") != std::string::npos);
}

TEST_CASE("isolation forms: base64 and base64url runs are decoded when they are text") {
  std::string secret = "canary cst_ab12cd34_7_0123456789abcdef of u-000007";
  std::string payload = "{\"blob\":\"" + cast::base64_encode(secret) + "\",\"jwt\":\"x." +
                        cast::base64url_encode("{\"sub\":\"u-000003\"}") + ".y\"}";
  std::string decoded = cast::controller::base64_runs_decoded(payload);
  CHECK(decoded.find(secret) != std::string::npos);
  CHECK(decoded.find("\"sub\":\"u-000003\"") != std::string::npos);

  // Random bytes and ordinary long words are not text once decoded.
  std::string binary = cast::base64_encode(std::string("\x01\x02\xff\xfe\x80\x90\x00\x13\x88\x99\xaa\xbb", 12));
  CHECK(cast::controller::base64_runs_decoded("x " + binary + " agent-0123456789abcdef0123456789abcdef").empty());
  CHECK(cast::controller::base64_runs_decoded("short Y3N0X2Fi").empty());  // under 16 characters
}

TEST_CASE("isolation forms: encodings stacked on each other are followed to the depth limit") {
  std::string inner = R"({"c":"\u0063st_ab12cd34_1_0123456789abcdef"})";
  auto forms = forms_of("data=" + cast::base64_encode(inner));
  const DecodedForm* chained = form_labelled(forms, "base64>json");
  REQUIRE(chained != nullptr);
  CHECK(chained->text.find("cst_ab12cd34_1_0123456789abcdef") != std::string::npos);

  std::vector<DecodedForm> shallow;
  cast::controller::DecodeLimits limits;
  limits.max_depth = 1;
  cast::controller::append_decoded_forms("data=" + cast::base64_encode(inner), shallow, limits);
  CHECK(form_labelled(shallow, "base64>json") == nullptr);
  CHECK(form_labelled(shallow, "base64") != nullptr);
}
