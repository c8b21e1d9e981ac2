#include "controller/report/run_timeline.h"

#include <algorithm>
#include <cmath>

namespace cast::controller {
namespace {

double seconds(std::int64_t us) { return static_cast<double>(us) / 1e6; }

bool reached(const std::optional<std::int64_t>& at_us, double t_s) { return at_us && seconds(*at_us) <= t_s; }

// The last instant the record speaks of.
double last_moment(const RunRecord& record) {
  double end = std::max(0.0, record.duration_s);
  for (const UserOutcome& user : record.users) {
    for (const auto& at : {user.began_at_us, user.connected_at_us, user.agent_started_at_us, user.finished_at_us}) {
      if (at) end = std::max(end, seconds(*at));
    }
  }
  return end;
}

// Events per second in each bin; an event outside the bins is clamped in.
std::vector<double> rate(const std::vector<double>& at_s, double bin_s, std::size_t bins) {
  std::vector<double> counts(bins, 0.0);
  for (double t : at_s) {
    auto bin = static_cast<std::size_t>(std::clamp(std::floor(t / bin_s), 0.0, static_cast<double>(bins - 1)));
    counts[bin] += 1;
  }
  for (double& c : counts) c /= bin_s;
  return counts;
}

}  // namespace

const char* phase_label(UserPhase phase) {
  switch (phase) {
    case UserPhase::waiting: return "waiting";
    case UserPhase::connecting: return "connecting";
    case UserPhase::starting: return "starting agent";
    case UserPhase::in_session: return "in session";
    case UserPhase::done: return "done";
    case UserPhase::failed: return "failed";
    case UserPhase::cancelled: return "cancelled";
  }
  return "?";
}

const char* phase_css(UserPhase phase) {
  switch (phase) {
    case UserPhase::waiting: return "s-waiting";
    case UserPhase::connecting: return "s-connecting";
    case UserPhase::starting: return "s-starting";
    case UserPhase::in_session: return "s-in-session";
    case UserPhase::done: return "s-done";
    case UserPhase::failed: return "s-failed";
    case UserPhase::cancelled: return "s-cancelled";
  }
  return "s-waiting";
}

UserPhase phase_at(const UserOutcome& user, double t_s, double end_s) {
  bool finished = reached(user.finished_at_us, t_s) || (user.failed && !user.finished_at_us && t_s >= end_s);
  if (finished) {
    return user.failed ? UserPhase::failed : user.cancelled ? UserPhase::cancelled : UserPhase::done;
  }
  if (reached(user.agent_started_at_us, t_s)) return UserPhase::in_session;
  if (reached(user.connected_at_us, t_s)) return UserPhase::starting;
  if (reached(user.began_at_us, t_s)) return UserPhase::connecting;
  return UserPhase::waiting;
}

double round_bin_width(double span, std::size_t bins) {
  double wanted = std::max(span, 1e-3) / static_cast<double>(std::max<std::size_t>(bins, 1));
  double magnitude = std::pow(10, std::floor(std::log10(wanted)));
  for (double factor : {1.0, 2.0, 5.0, 10.0}) {
    if (factor * magnitude >= wanted * (1 - 1e-9)) return factor * magnitude;
  }
  return 10 * magnitude;
}

RunTimeline build_timeline(const RunRecord& record, std::size_t samples, std::size_t bins) {
  RunTimeline timeline;
  timeline.end_s = last_moment(record);
  samples = std::max<std::size_t>(samples, 2);
  for (std::size_t i = 0; i < samples; ++i) {
    timeline.t_s.push_back(timeline.end_s * static_cast<double>(i) / static_cast<double>(samples - 1));
  }
  for (auto& counts : timeline.users) counts.assign(samples, 0.0);
  std::vector<double> started, failed;
  for (const UserOutcome& user : record.users) {
    for (std::size_t i = 0; i < samples; ++i) {
      timeline.users[static_cast<std::size_t>(phase_at(user, timeline.t_s[i], timeline.end_s))][i] += 1;
    }
    if (user.agent_started_at_us) started.push_back(seconds(*user.agent_started_at_us));
    if (user.failed) failed.push_back(user.finished_at_us ? seconds(*user.finished_at_us) : timeline.end_s);
  }
  timeline.bin_s = round_bin_width(timeline.end_s, bins);
  auto used = static_cast<std::size_t>(std::ceil(timeline.end_s / timeline.bin_s - 1e-9));
  used = std::clamp<std::size_t>(used, 1, bins);
  timeline.startups_per_s = rate(started, timeline.bin_s, used);
  timeline.failures_per_s = rate(failed, timeline.bin_s, used);
  timeline.startups = started.size();
  timeline.failures = failed.size();
  return timeline;
}

}  // namespace cast::controller
