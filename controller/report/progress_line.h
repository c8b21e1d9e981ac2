#pragma once

// The live progress of a run while its users are under way: one line that
// rewrites itself on a terminal, a plain line every few seconds elsewhere
// (CI logs), nothing with --quiet.

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

namespace cast::controller {

// What the run loop knows at one moment, folded from the events so far.
struct ProgressSnapshot {
  std::uint32_t planned{0};
  std::uint32_t connecting{0};  // not finished, no agent yet
  std::uint32_t started{0};     // agent started, not finished
  std::uint32_t done{0};
  std::uint32_t failed{0};
  std::uint32_t cancelled{0};                    // on purpose (--cancel-rate); shown only when some are
  std::optional<std::chrono::microseconds> p95;  // of the startups so far; none before the first
  std::chrono::milliseconds elapsed{0};          // since the go; negative before it
  std::chrono::milliseconds timeout{0};          // the run timeout, bounding the ETA; 0 = none
};

// Time left, from how fast users finished so far, never past the run
// timeout; none until a user finished (unless the timeout bounds it).
std::optional<std::chrono::milliseconds> estimate_eta(const ProgressSnapshot& snapshot);

// "users 100: connecting 20, started 30, done 45, failed 5 | p95 1.23 s | 0:12 elapsed, ETA 0:05"
std::string format_progress(const ProgressSnapshot& snapshot);

// "1:05" (minutes:seconds), "1:02:03" past an hour; negative counts as 0.
std::string format_clock(std::chrono::milliseconds duration);

enum class ProgressStyle {
  terminal,  // one line rewritten in place (\r, clear to end of line)
  plain,     // a new line every `plain_every`
  quiet,     // nothing
};

// Decides when to print. Owned and called by the run loop's thread only.
class ProgressReporter {
 public:
  ProgressReporter(std::ostream& out, ProgressStyle style,
                   std::chrono::milliseconds plain_every = std::chrono::seconds{5});

  void update(const ProgressSnapshot& snapshot, std::chrono::steady_clock::time_point now);
  // The final state, printed whenever the last update was: on a terminal
  // the line stays and the summary starts below it.
  void finish(const ProgressSnapshot& snapshot);

 private:
  std::ostream& out_;
  ProgressStyle style_;
  std::chrono::milliseconds every_;
  std::optional<std::chrono::steady_clock::time_point> last_;
};

}  // namespace cast::controller
