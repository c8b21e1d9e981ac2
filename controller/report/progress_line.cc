#include "controller/report/progress_line.h"

#include <algorithm>
#include <cstdio>
#include <ostream>

namespace cast::controller {
namespace {

using std::chrono::milliseconds;

// A terminal line longer than the terminal wraps, and \r then rewrites only
// its last part; 99 columns fit the 100-column terminal the summary assumes.
constexpr std::size_t kTerminalWidth = 99;
// Often enough to look live, rarely enough not to flood a slow terminal.
constexpr milliseconds kTerminalEvery{250};

std::string latency(std::chrono::microseconds value) {
  char buffer[32];
  if (value < std::chrono::seconds{1}) {
    std::snprintf(buffer, sizeof buffer, "%lld ms", static_cast<long long>(value.count() / 1000));
  } else {
    std::snprintf(buffer, sizeof buffer, "%.2f s", static_cast<double>(value.count()) / 1e6);
  }
  return buffer;
}

std::uint32_t finished(const ProgressSnapshot& s) { return s.done + s.failed + s.cancelled; }

}  // namespace

std::string format_clock(milliseconds duration) {
  long long total = std::max<long long>(0, duration.count() / 1000);
  char buffer[32];
  if (total >= 3600) {
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld:%02lld", total / 3600, total / 60 % 60, total % 60);
  } else {
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld", total / 60, total % 60);
  }
  return buffer;
}

std::optional<milliseconds> estimate_eta(const ProgressSnapshot& s) {
  std::uint32_t done = finished(s);
  if (done >= s.planned) return milliseconds{0};
  if (done == 0 || s.elapsed <= milliseconds{0}) return std::nullopt;
  auto left = s.planned - done;
  milliseconds eta{s.elapsed.count() * left / done};
  if (s.timeout > milliseconds{0}) eta = std::min(eta, std::max(milliseconds{0}, s.timeout - s.elapsed));
  return eta;
}

std::string format_progress(const ProgressSnapshot& s) {
  std::string line = "users " + std::to_string(s.planned) + ": " + std::to_string(s.connecting) + " connecting, " +
                     std::to_string(s.started) + " started, " + std::to_string(s.done) + " done, " +
                     std::to_string(s.failed) + " failed";
  if (s.cancelled > 0) line += ", " + std::to_string(s.cancelled) + " cancelled";
  line += " | p95 " + (s.p95 ? latency(*s.p95) : std::string{"-"}) + " | ";
  if (s.elapsed < milliseconds{0}) {
    return line + "go in " + format_clock(-s.elapsed + milliseconds{999});
  }
  auto eta = estimate_eta(s);
  return line + format_clock(s.elapsed) + " elapsed, ETA " + (eta ? format_clock(*eta) : std::string{"unknown"});
}

ProgressReporter::ProgressReporter(std::ostream& out, ProgressStyle style, milliseconds plain_every)
    : out_(out), style_(style), every_(plain_every) {}

void ProgressReporter::update(const ProgressSnapshot& snapshot, std::chrono::steady_clock::time_point now) {
  if (style_ == ProgressStyle::quiet) return;
  auto every = style_ == ProgressStyle::terminal ? kTerminalEvery : every_;
  if (last_ && now - *last_ < every) return;
  last_ = now;
  if (style_ == ProgressStyle::plain) {
    out_ << "progress: " << format_progress(snapshot) << std::endl;
    return;
  }
  out_ << '\r' << format_progress(snapshot).substr(0, kTerminalWidth) << "\033[K" << std::flush;
}

void ProgressReporter::finish(const ProgressSnapshot& snapshot) {
  if (style_ == ProgressStyle::quiet) return;
  if (style_ == ProgressStyle::plain) {
    out_ << "progress: " << format_progress(snapshot) << std::endl;
    return;
  }
  // The last state stays on screen, the summary starts below it.
  out_ << '\r' << format_progress(snapshot).substr(0, kTerminalWidth) << "\033[K\n" << std::flush;
}

}  // namespace cast::controller
