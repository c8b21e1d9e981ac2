#pragma once

// The run over time, from each user's phase offsets in the RunRecord: how
// many users were in each phase at each moment, and startups and failures
// per second. Sampled at a fixed number of instants, so a 10,000-user run
// draws as cheaply as a 20-user one.

#include <array>
#include <cstddef>
#include <vector>

#include "controller/analysis/run_record.h"

namespace cast::controller {

enum class UserPhase { waiting, connecting, starting, in_session, done, failed, cancelled };
inline constexpr std::size_t kUserPhases = 7;

const char* phase_label(UserPhase phase);  // "in session"
const char* phase_css(UserPhase phase);    // "s-in-session"

// The phase of `user` at `t_s` seconds after the go; a user lost with its
// worker counts as failed from `end_s` on.
UserPhase phase_at(const UserOutcome& user, double t_s, double end_s);

struct RunTimeline {
  double end_s{0};                                     // last moment anything happened
  std::vector<double> t_s;                             // sample instants, 0 .. end_s
  std::array<std::vector<double>, kUserPhases> users;  // users per phase, at each instant
  double bin_s{1};                                     // width of a rate bin, seconds
  std::vector<double> startups_per_s;                  // agents started, per bin
  std::vector<double> failures_per_s;                  // users failed, per bin
  std::size_t startups{0}, failures{0};
};

RunTimeline build_timeline(const RunRecord& record, std::size_t samples = 160, std::size_t bins = 50);

// The smallest round bin width (1, 2 or 5 times a power of ten, seconds)
// that covers `span` in at most `bins` bins.
double round_bin_width(double span, std::size_t bins);

}  // namespace cast::controller
