#include "controller/probes/probe_result.h"

#include "cast_control.pb.h"

namespace cast {

std::optional<ProbeResult> probe_result_of(const std::string& worker_id, const v1::Event& event) {
  if (event.kind() != v1::PROBE_RESULT) {
    return std::nullopt;
  }
  ProbeResult result;
  result.worker_id = worker_id;
  result.actor_index = event.user_index();
  result.target_index = event.target_user_index();
  result.probe = event.probe();
  result.channel = event.channel() == v1::CHANNEL_WS ? "ws" : "rest";
  result.call = event.call();
  result.http_status = event.http_status();
  result.answer_type = event.answer_type();
  result.answer_code = event.answer_code();
  result.payload = event.payload();
  result.truncated = event.truncated();
  result.request_id = event.request_id();
  result.error_kind = event.error_kind();
  result.error_message = event.error_message();
  result.offset_us = event.offset_us();
  result.forgery = event.forgery();
  result.forgery_full_strength = event.forgery_full_strength();
  return result;
}

}  // namespace cast
