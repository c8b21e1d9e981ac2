#include <doctest/doctest.h>

#include <set>

#include "cast_control.pb.h"
#include "common/jwt/jwt.h"
#include "controller/probes/probe_result.h"
#include "worker/probe/forged_tokens.h"

using namespace cast::controller;  // the code under test

namespace cast {
namespace {

std::string some_token() {
  jwt::Claims claims;
  claims.sub = "u-000001";
  claims.tid = "t-0001";
  claims.iat = jwt::unix_now();
  claims.exp = claims.iat + 900;
  return jwt::sign_jwt(claims, "secret");
}

}  // namespace

// A forgery's name crosses the wire as an enum and must come back as the
// same name in the report, whatever side renames what.
TEST_CASE("every forged token's kind survives the wire: worker name -> ForgeryKind -> report label") {
  auto all = worker::forge_tokens({some_token(), "u-000001", "t-0001", "u-000002", "t-0002", "run-x", "secret"});
  CHECK(all.size() == 15);  // 12 credential forgeries and 3 identity ones, with the secret
  for (const auto& forged : all) {
    CAPTURE(forged.kind);
    auto kind = forged.forgery;
    CHECK(kind != v1::FORGERY_UNSPECIFIED);
    for (auto probe : {v1::PROBE_FORGED_REST, v1::PROBE_FORGED_UPGRADE}) {
      v1::Event event;
      event.set_kind(v1::PROBE_RESULT);
      event.set_probe_kind(probe);
      event.set_forgery(kind);
      auto result = probe_result_of("w", event);
      REQUIRE(result);
      auto prefix = probe == v1::PROBE_FORGED_REST ? "rest_forged:" : "ws_upgrade_forged:";
      CHECK(probe_label(*result) == prefix + forged.kind);
    }
  }
}

TEST_CASE("probe kinds map one to one onto report labels; an unknown kind stays unknown, never judged") {
  std::set<std::string> labels;
  for (int k = v1::ProbeKind_MIN; k <= v1::ProbeKind_MAX; ++k) {
    v1::Event event;
    event.set_kind(v1::PROBE_RESULT);
    event.set_probe_kind(static_cast<v1::ProbeKind>(k));
    auto label = probe_label(*probe_result_of("w", event));
    if (k == v1::PROBE_KIND_UNSPECIFIED) {
      CHECK(label == "unknown");
    } else {
      CHECK(labels.insert(label).second);
    }
  }
  v1::Event readback;
  readback.set_kind(v1::PROBE_RESULT);
  readback.set_probe_kind(v1::PROBE_READBACK);
  CHECK(probe_label(*probe_result_of("w", readback)) == "victim_readback");
}

}  // namespace cast
