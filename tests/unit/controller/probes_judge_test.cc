#include <doctest/doctest.h>

#include "cast_control.pb.h"
#include "controller/probes/probe_judge.h"

using namespace cast::controller;  // the code under test

namespace cast {
namespace {

std::vector<PlannedUser> population() {
  return plan_population({.run_id = "run-probes-judge", .run_key = std::string(32, 'k'), .users = 3});
}

// "rest_get_state", "rest_forged:alg_none", ... as reports name them.
void name_probe(ProbeResult& r, const std::string& label) {
  const std::pair<const char*, ProbeKind> kinds[] = {{"ws_get_state", ProbeKind::ws_get_state},
                                                     {"ws_update_state", ProbeKind::ws_update_state},
                                                     {"ws_message", ProbeKind::ws_message},
                                                     {"rest_get_state", ProbeKind::rest_get_state},
                                                     {"rest_put_state", ProbeKind::rest_put_state},
                                                     {"rest_forged", ProbeKind::rest_forged},
                                                     {"ws_upgrade_forged", ProbeKind::ws_upgrade_forged}};
  auto colon = label.find(':');
  for (const auto& [name, kind] : kinds) {
    if (label.substr(0, colon) == name) {
      r.kind = kind;
    }
  }
  for (int kind = v1::ForgeryKind_MIN; colon != std::string::npos && kind <= v1::ForgeryKind_MAX; ++kind) {
    r.forgery = kind;
    if (probe_label(r) == label) {
      break;
    }
  }
  REQUIRE(probe_label(r) == label);
}

// User 0 attacks user 1.
ProbeResult attack(std::string probe, std::string channel) {
  ProbeResult r;
  r.worker_id = "w-a";
  r.actor_index = 0;
  r.target_index = 1;
  name_probe(r, probe);
  r.channel = std::move(channel);
  r.call = "GET /api/agents/agent-1/state";
  return r;
}

ProbeResult rest(std::string probe, int status, std::string payload = {}) {
  auto r = attack(std::move(probe), "rest");
  r.http_status = status;
  r.payload = std::move(payload);
  return r;
}

ProbeResult ws(std::string probe, std::string type, std::string code = {}, std::string payload = {}) {
  auto r = attack(std::move(probe), "ws");
  r.error_kind = type == "error" ? "error_reply" : "";
  r.answer_type = std::move(type);
  r.answer_code = std::move(code);
  r.payload = std::move(payload);
  r.request_id = "u-000000-rp1";
  return r;
}

}  // namespace

TEST_CASE("probes judge: denials with the protocol's codes and no victim data pass") {
  auto users = population();
  std::vector<ProbeResult> results{
      ws("ws_get_state", "error", "not_found", R"({"type":"error","code":"not_found"})"),
      ws("ws_update_state", "error", "unauthorized"),
      rest("rest_get_state", 404, R"({"error":"agent not found"})"),
      rest("rest_put_state", 401),
      rest("rest_forged:alg_none", 401, R"({"error":"unauthorized: alg_none"})"),
      rest("ws_upgrade_forged:expired", 401),
      rest("rest_forged:expired", 0),  // no answer at all: not a finding
  };
  CHECK(judge_probes(users, results).empty());
}

TEST_CASE("probes judge: granted attacks name attacker, victim, call and the leaked value") {
  auto users = population();
  auto state = R"({"agent_id":"agent-1","state":{"canary":")" + users[1].canary + R"("}})";
  auto findings = judge_probes(users, {rest("rest_get_state", 200, state), ws("ws_update_state", "ack")});
  REQUIRE(findings.size() == 2);
  CHECK(findings[0].kind == cast::controller::FindingKind::unauthorized_read);
  CHECK(findings[0].test_case == cast::controller::TestCaseId::state_persistence);
  CHECK(findings[0].observer == users[0].user_id);
  CHECK(findings[0].owner == users[1].user_id);
  CHECK(findings[0].channel == "rest");
  CHECK(findings[0].where.find("GET /api/agents/agent-1/state") != std::string::npos);
  CHECK(findings[0].excerpt.find(">>>" + users[1].canary + "<<<") != std::string::npos);
  CHECK(findings[1].kind == cast::controller::FindingKind::unauthorized_write);
  CHECK(findings[1].where.find("u-000000-rp1") != std::string::npos);
}

TEST_CASE("probes judge: forged tokens may only hear 401") {
  auto users = population();
  auto findings = judge_probes(users, {rest("rest_forged:alg_None", 200), rest("rest_forged:truncated_signature", 404),
                                       rest("ws_upgrade_forged:alg_NONE", 101), rest("rest_forged:wrong_key", 403)});
  REQUIRE(findings.size() == 4);
  CHECK(findings[0].kind == cast::controller::FindingKind::forged_token_accepted);
  CHECK(findings[0].where.find("alg_None") != std::string::npos);
  CHECK(findings[1].kind == cast::controller::FindingKind::forged_token_accepted);
  CHECK(findings[2].kind == cast::controller::FindingKind::forged_token_accepted);
  CHECK(findings[3].kind == cast::controller::FindingKind::denied_with_wrong_code);
}

TEST_CASE("probes judge: a denial carrying victim data is cross-contamination") {
  auto users = population();
  auto findings =
      judge_probes(users, {ws("ws_get_state", "error", "not_found", "agent of " + users[1].profile.email + " hidden")});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].kind == cast::controller::FindingKind::victim_data_in_denial);
  CHECK(findings[0].test_case == cast::controller::TestCaseId::cross_contamination);
  CHECK(findings[0].excerpt.find(">>>" + users[1].profile.email + "<<<") != std::string::npos);
}

TEST_CASE("probes judge: a refusal in another dialect is a denial; an answered message is a read") {
  auto users = population();
  auto refused = ws("ws_get_state", "fault", "not_found");
  refused.error_kind = "error_reply";
  CHECK(judge_probes(users, {refused}).empty());
  auto findings = judge_probes(users, {ws("ws_message", "agent.said")});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].kind == cast::controller::FindingKind::unauthorized_read);
  CHECK(findings[0].where.rfind("ws_message: ", 0) == 0);
}

TEST_CASE("probes judge: victim data in a refusal's header fields is cross-contamination") {
  auto users = population();
  auto denied = rest("rest_get_state", 404, R"({"error":"agent not found"})");
  denied.head = "HTTP/1.1 404 Not Found\r\nX-Last-Caller: " + users[1].profile.email + "\r\n\r\n";
  auto findings = judge_probes(users, {denied});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].kind == cast::controller::FindingKind::victim_data_in_denial);
  CHECK(findings[0].excerpt.find(">>>" + users[1].profile.email + "<<<") != std::string::npos);
}

TEST_CASE("probes judge: an attacker's marker in the victim's read-back is an unauthorized modification") {
  auto users = population();
  ProbeResult readback;
  readback.actor_index = 1;
  readback.target_index = 1;
  readback.kind = ProbeKind::readback;
  readback.channel = "rest";
  readback.call = "GET /api/agents/agent-1/state";
  readback.http_status = 200;
  readback.payload = R"({"agent_id":"agent-1","state":{"canary":"c","cast_probe":")" + users[0].user_id + R"("}})";
  auto findings = judge_probes(users, {readback});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].kind == cast::controller::FindingKind::unauthorized_modification);
  CHECK(findings[0].observer == users[0].user_id);
  CHECK(findings[0].owner == users[1].user_id);
  readback.payload = R"({"agent_id":"agent-1","state":{"canary":"c"}})";
  CHECK(judge_probes(users, {readback}).empty());
}

}  // namespace cast

namespace cast {

TEST_CASE("probes judge: a well-signed token naming someone else may hear 404, but never the victim's state") {
  auto users = population();
  auto identity = [](v1::ForgeryKind kind, int status) {
    auto r = rest("rest_forged:victim_sub", status);
    r.forgery = kind;
    r.forgery_full_strength = true;
    return r;
  };
  CHECK(judge_probes(users, {identity(v1::FORGERY_VICTIM_SUB, 404), identity(v1::FORGERY_OTHER_TENANT, 401),
                             identity(v1::FORGERY_OTHER_RUN, 404)})
            .empty());
  auto findings = judge_probes(users, {identity(v1::FORGERY_OTHER_TENANT, 200)});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].kind == cast::controller::FindingKind::forged_token_accepted);
  // A credential forgery that reached the owner check (404) was accepted.
  auto expired = rest("rest_forged:expired", 404);
  expired.forgery = v1::FORGERY_EXPIRED;
  CHECK(judge_probes(users, {expired}).size() == 1);
}

TEST_CASE("probes judge: findings name the observer's and the owner's tenant") {
  auto users = plan_population(
      {.run_id = "run-probes-judge", .run_key = std::string(32, 'k'), .users = 6, .users_per_tenant = 4});
  auto r = rest("rest_get_state", 200);
  r.target_index = 5;
  auto findings = judge_probes(users, {r});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].observer_tenant == users[0].tenant_id);
  CHECK(findings[0].owner_tenant == users[5].tenant_id);
  CHECK(findings[0].observer_tenant != findings[0].owner_tenant);
}

}  // namespace cast
