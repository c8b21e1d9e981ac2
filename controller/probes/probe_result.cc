#include "controller/probes/probe_result.h"

#include "cast_control.pb.h"

namespace cast::controller {
namespace {

ProbeKind kind_of(v1::ProbeKind kind) {
  switch (kind) {
    case v1::PROBE_WS_GET_STATE: return ProbeKind::ws_get_state;
    case v1::PROBE_WS_UPDATE_STATE: return ProbeKind::ws_update_state;
    case v1::PROBE_WS_MESSAGE: return ProbeKind::ws_message;
    case v1::PROBE_REST_GET_STATE: return ProbeKind::rest_get_state;
    case v1::PROBE_REST_PUT_STATE: return ProbeKind::rest_put_state;
    case v1::PROBE_FORGED_REST: return ProbeKind::rest_forged;
    case v1::PROBE_FORGED_UPGRADE: return ProbeKind::ws_upgrade_forged;
    case v1::PROBE_TOKEN: return ProbeKind::token;
    case v1::PROBE_WS_CONNECT: return ProbeKind::ws_connect;
    case v1::PROBE_READBACK: return ProbeKind::readback;
    default: return ProbeKind::unknown;
  }
}

// The names the worker's forge_tokens() gives, as reports have shown them.
const char* forgery_name(int kind) {
  switch (static_cast<v1::ForgeryKind>(kind)) {
    case v1::FORGERY_MISSING: return "missing";
    case v1::FORGERY_ALG_NONE: return "alg_none";
    case v1::FORGERY_ALG_NONE_CAPITALIZED: return "alg_None";
    case v1::FORGERY_ALG_NONE_UPPER: return "alg_NONE";
    case v1::FORGERY_EXPIRED: return "expired";
    case v1::FORGERY_NOT_YET_VALID: return "not_yet_valid";
    case v1::FORGERY_TAMPERED_PAYLOAD: return "tampered_payload";
    case v1::FORGERY_TRUNCATED_SIGNATURE: return "truncated_signature";
    case v1::FORGERY_WRONG_AUDIENCE: return "wrong_audience";
    case v1::FORGERY_UNKNOWN_KID: return "unknown_kid";
    case v1::FORGERY_WRONG_KEY: return "wrong_key";
    case v1::FORGERY_MISSING_AUDIENCE: return "missing_audience";
    case v1::FORGERY_VICTIM_SUB: return "victim_sub";
    case v1::FORGERY_OTHER_TENANT: return "other_tenant";
    case v1::FORGERY_OTHER_RUN: return "other_run";
    case v1::FORGERY_EXPIRED_ISSUED: return "expired_issued";
    default: return "unknown";
  }
}

}  // namespace

std::string probe_label(const ProbeResult& result) {
  switch (result.kind) {
    case ProbeKind::ws_get_state: return "ws_get_state";
    case ProbeKind::ws_update_state: return "ws_update_state";
    case ProbeKind::ws_message: return "ws_message";
    case ProbeKind::rest_get_state: return "rest_get_state";
    case ProbeKind::rest_put_state: return "rest_put_state";
    case ProbeKind::rest_forged: return std::string("rest_forged:") + forgery_name(result.forgery);
    case ProbeKind::ws_upgrade_forged: return std::string("ws_upgrade_forged:") + forgery_name(result.forgery);
    case ProbeKind::token: return result.forgery == v1::FORGERY_EXPIRED_ISSUED ? "token_short_ttl" : "token";
    case ProbeKind::ws_connect: return "ws_connect";
    case ProbeKind::readback: return "victim_readback";
    case ProbeKind::unknown: break;
  }
  return "unknown";
}

std::optional<ProbeResult> probe_result_of(const std::string& worker_id, const v1::Event& event) {
  if (event.kind() != v1::PROBE_RESULT) {
    return std::nullopt;
  }
  ProbeResult result;
  result.worker_id = worker_id;
  result.actor_index = event.user_index();
  result.target_index = event.target_user_index();
  result.kind = kind_of(event.probe_kind());
  result.channel = event.channel() == v1::CHANNEL_WS ? "ws" : "rest";
  result.call = event.call();
  result.http_status = event.http_status();
  result.answer_type = event.answer_type();
  result.answer_code = event.answer_code();
  result.payload = event.payload();
  result.head = event.head();
  result.truncated = event.truncated();
  result.request_id = event.request_id();
  result.error_kind = event.error_kind();
  result.error_message = event.error_message();
  result.offset_us = event.offset_us();
  result.forgery = event.forgery();
  result.forgery_full_strength = event.forgery_full_strength();
  return result;
}

}  // namespace cast::controller
