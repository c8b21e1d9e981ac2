#include "controller/run/event_ledger.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <optional>
#include <string_view>

#include "cast_control.pb.h"

namespace cast::controller {
namespace {

const char* phase_name(v1::Phase phase) {
  switch (phase) {
    case v1::PHASE_TOKEN: return "token";
    case v1::PHASE_CONNECT: return "connect";
    case v1::PHASE_START: return "start";
    case v1::PHASE_MESSAGE: return "message";
    case v1::PHASE_STATE: return "state";
    case v1::PHASE_PROBE: return "probe";
    case v1::PHASE_CLOSE: return "close";
    default: return "unknown";
  }
}

// STEP_TIMING events are sub-stages of a step (TCP, TLS, upgrade); the
// step's own duration comes with PHASE_FINISHED.
bool is_step_end(v1::EventKind kind) { return kind == v1::PHASE_FINISHED; }

// The `startup_ms` a platform puts in its agent_started (protocol v1), so
// that the report can say how much of the observed startup the harness and
// the wire added. A search for the one number rather than a JSON parse of
// every start frame; absent for dialects without it.
std::optional<std::int64_t> reported_startup_us(std::string_view payload) {
  constexpr std::string_view key = "\"startup_ms\"";
  auto at = payload.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  auto rest = payload.substr(at + key.size());
  auto colon = rest.find_first_not_of(" \t");
  if (colon == std::string_view::npos || rest[colon] != ':') return std::nullopt;
  auto number = rest.find_first_not_of(" \t", colon + 1);
  if (number == std::string_view::npos) return std::nullopt;
  double ms = 0;
  auto [end, error] = std::from_chars(rest.data() + number, rest.data() + rest.size(), ms);
  if (error != std::errc{} || ms < 0) return std::nullopt;
  return static_cast<std::int64_t>(ms * 1000);
}

}  // namespace

EventLedger::EventLedger(const std::vector<std::string>& user_ids)
    : first_step_offset_us_(user_ids.size(), INT64_MIN), finished_users_(user_ids.size(), false) {
  record_.users_planned = static_cast<std::uint32_t>(user_ids.size());
  record_.users.resize(user_ids.size());
  for (std::uint32_t i = 0; i < user_ids.size(); ++i) {
    record_.users[i].index = i;
    record_.users[i].user_id = user_ids[i];
  }
}

void EventLedger::assign(const std::string& worker_id, const std::vector<std::uint32_t>& user_indices) {
  for (auto index : user_indices) {
    if (index < record_.users.size()) record_.users[index].worker_id = worker_id;
  }
}

void EventLedger::apply(const std::string& worker_id, const v1::Event& event) {
  ++events_;
  if (event.user_index() >= record_.users.size()) {
    record_.notes.push_back("worker " + worker_id + " sent an event for unknown user index " +
                            std::to_string(event.user_index()));
    return;
  }
  auto& user = record_.users[event.user_index()];
  auto kind = event.kind();
  if (is_step_end(kind)) apply_step(user, event);
  if (kind == v1::FRAME_RECEIVED || kind == v1::REST_ANSWER || kind == v1::UPGRADE_ANSWERED) observe(event);
  if (kind == v1::USER_FAILED || kind == v1::CONNECTION_CLOSED) observe_error(event);
  if (kind == v1::FRAME_RECEIVED && event.phase() == v1::PHASE_START && !user.platform_startup_us) {
    user.platform_startup_us = reported_startup_us(event.payload());
  }
  if (kind == v1::USER_FAILED) {
    apply_failure(user, event);
    finish(user, event.offset_us());
  }
  if (kind == v1::CONNECTION_CLOSED) user.closed_unexpectedly = true;
  if (kind == v1::USER_CANCELLED) {
    user.cancelled = !user.failed;
    finish(user, event.offset_us());
  }
  if (kind == v1::USER_DONE) {
    user.done = !user.failed;
    finish(user, event.offset_us());
  }
  user.max_schedule_lag_us = std::max(user.max_schedule_lag_us, event.schedule_lag_us());
}

void EventLedger::apply_step(UserOutcome& user, const v1::Event& event) {
  auto duration = event.duration_us();
  switch (event.phase()) {
    case v1::PHASE_TOKEN: user.token_us = duration; break;
    case v1::PHASE_CONNECT:
      user.connect_us = duration;
      user.connected_at_us = event.offset_us();
      break;
    case v1::PHASE_START:
      if (!user.start_us && !finished_users_[user.index]) ++agents_started_;
      user.start_us = duration;
      startups_.add(std::chrono::microseconds{duration});
      user.agent_started_at_us = event.offset_us();
      if (!event.agent_id().empty()) user.agent_id = event.agent_id();
      break;
    case v1::PHASE_MESSAGE: user.message_us.push_back(duration); break;
    case v1::PHASE_STATE: user.state_us = duration; break;
    default: break;
  }
  auto& first = first_step_offset_us_[user.index];
  // Durations run from the scheduled start; the actual start is later by the lag.
  auto started_at = event.offset_us() - duration + event.schedule_lag_us();
  if (first == INT64_MIN || started_at < first) first = started_at;
  user.began_at_us = first;
}

void EventLedger::apply_failure(UserOutcome& user, const v1::Event& event) {
  if (user.failed) return;  // the first failure is the one that counts
  user.failed = true;
  user.failed_phase = phase_name(event.phase());
  user.error_kind = event.error_kind();
  user.error_message = event.error_message();
}

// Every byte a user received is evidence: the body or frame, and apart
// from it the status line and header fields of an HTTP answer or upgrade.
void EventLedger::observe(const v1::Event& event) {
  Observation o;
  o.user_index = event.user_index();
  o.channel = event.kind() == v1::REST_ANSWER ? ObservationChannel::rest : ObservationChannel::ws;
  o.offset_us = event.offset_us();
  o.phase = phase_name(event.phase());
  if (!event.head().empty()) {
    Observation head = o;
    head.part = event.kind() == v1::UPGRADE_ANSWERED ? "upgrade headers" : "answer headers";
    head.payload = event.head();
    head.original_size = static_cast<std::uint32_t>(head.payload.size());
    record_.observations.push_back(std::move(head));
  }
  if (event.payload().empty() && event.kind() != v1::FRAME_RECEIVED) return;
  o.part = event.kind() == v1::UPGRADE_ANSWERED ? "upgrade answer" : "";
  o.payload = event.payload();
  o.original_size = event.original_size();
  o.truncated = event.truncated();
  o.request_id = event.request_id();
  o.agent_id = event.agent_id();
  record_.observations.push_back(std::move(o));
}

// Error messages carry what the platform said when it refused or closed
// (close reasons, refused bodies), so they are scanned like payloads.
void EventLedger::observe_error(const v1::Event& event) {
  if (event.error_message().empty()) return;
  Observation o;
  o.user_index = event.user_index();
  o.channel = event.channel() == v1::CHANNEL_REST ? ObservationChannel::rest : ObservationChannel::ws;
  o.part = "error message";
  o.payload = event.error_message();
  o.original_size = static_cast<std::uint32_t>(o.payload.size());
  o.offset_us = event.offset_us();
  o.phase = phase_name(event.phase());
  record_.observations.push_back(std::move(o));
}

void EventLedger::finish(UserOutcome& user, std::optional<std::int64_t> at_us) {
  if (finished_users_[user.index]) return;
  finished_users_[user.index] = true;
  user.finished_at_us = at_us;
  ++finished_;
  if (user.start_us) ++started_finished_;
  if (user.done) ++done_;
  if (user.cancelled) ++cancelled_;
}

UserCounts EventLedger::user_counts() const {
  UserCounts counts;
  counts.started = agents_started_ - started_finished_;
  counts.done = done_;
  counts.cancelled = cancelled_;
  counts.failed = finished_ - done_ - cancelled_;
  counts.connecting = record_.users_planned - finished_ - counts.started;
  return counts;
}

std::uint32_t EventLedger::mark_worker_lost(const std::string& worker_id, const std::string& while_doing) {
  std::uint32_t lost = 0;
  for (auto& user : record_.users) {
    if (user.worker_id != worker_id || user.done || user.failed || user.cancelled) continue;
    user.lost = true;
    user.failed = true;
    user.failed_phase = "lost";
    user.error_kind = "worker_lost";
    user.error_message = "worker " + worker_id + " was lost before the user finished";
    finish(user, std::nullopt);  // when is unknown: the worker stopped telling
    ++lost;
  }
  for (auto& w : record_.workers) {
    if (w.worker_id == worker_id) w.lost = true;
  }
  record_.notes.push_back("worker " + worker_id + " was lost while " + while_doing + " with " + std::to_string(lost) +
                          " user(s) unfinished, counted as lost; its events up to then are kept");
  return lost;
}

std::optional<std::int64_t> EventLedger::first_start_us(std::uint32_t user_index) const {
  if (user_index >= first_step_offset_us_.size() || first_step_offset_us_[user_index] == INT64_MIN) {
    return std::nullopt;
  }
  return first_step_offset_us_[user_index];
}

}  // namespace cast::controller

namespace cast::controller {

void EventLedger::finalize() {
  std::int64_t earliest = INT64_MAX;
  std::int64_t latest = INT64_MIN;
  for (auto first : first_step_offset_us_) {
    if (first == INT64_MIN) continue;
    earliest = std::min(earliest, first);
    latest = std::max(latest, first);
  }
  record_.start_skew_us = latest >= earliest ? latest - earliest : 0;
  auto cancelled =
      std::count_if(record_.users.begin(), record_.users.end(), [](const UserOutcome& user) { return user.cancelled; });
  if (cancelled > 0) {
    record_.notes.push_back(std::to_string(cancelled) +
                            " user(s) dropped their connection mid-request on purpose (--cancel-rate); "
                            "they are not counted as failures");
  }
}

}  // namespace cast::controller
