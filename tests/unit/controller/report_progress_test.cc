#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include "controller/report/progress_line.h"

using namespace cast::controller;  // the code under test

namespace {

using namespace std::chrono_literals;
using cast::controller::ProgressSnapshot;

ProgressSnapshot midway() {
  ProgressSnapshot s;
  s.planned = 100;
  s.connecting = 20;
  s.started = 30;
  s.done = 45;
  s.failed = 5;
  s.p95 = 1'234'000us;
  s.elapsed = 12'000ms;
  s.timeout = 180'000ms;
  return s;
}

}  // namespace

TEST_CASE("progress line: users by phase, P95 so far, elapsed and ETA from the finishing rate") {
  // 50 of 100 finished in 12 s: 12 s more at that rate.
  CHECK(cast::controller::format_progress(midway()) ==
        "users 100: 20 connecting, 30 started, 45 done, 5 failed | p95 1.23 s | 0:12 elapsed, ETA 0:12");
}

TEST_CASE("progress line: ETA unknown until a user finished, P95 shown as - before the first startup") {
  ProgressSnapshot s;
  s.planned = 10;
  s.connecting = 10;
  s.elapsed = 3'500ms;
  s.timeout = 180'000ms;
  CHECK_FALSE(cast::controller::estimate_eta(s).has_value());
  CHECK(cast::controller::format_progress(s) ==
        "users 10: 10 connecting, 0 started, 0 done, 0 failed | p95 - | 0:03 elapsed, ETA unknown");
}

TEST_CASE("progress line: before the go it counts down to it") {
  ProgressSnapshot s;
  s.planned = 5;
  s.connecting = 5;
  s.elapsed = -400ms;
  CHECK(cast::controller::format_progress(s).ends_with("| p95 - | go in 0:01"));
}

TEST_CASE("progress line: zero users have nothing left, sub-second P95 in ms, cancelled only when some are") {
  ProgressSnapshot none;
  CHECK(cast::controller::estimate_eta(none) == 0ms);
  CHECK(cast::controller::format_progress(none) ==
        "users 0: 0 connecting, 0 started, 0 done, 0 failed | p95 - | 0:00 elapsed, ETA 0:00");
  auto s = midway();
  s.p95 = 87'400us;
  s.failed = 2;
  s.cancelled = 3;
  CHECK(cast::controller::format_progress(s).find("45 done, 2 failed, 3 cancelled | p95 87 ms |") != std::string::npos);
}

TEST_CASE("progress ETA never runs past the run timeout") {
  auto s = midway();
  s.done = 1;
  s.failed = 0;
  s.started = 79;
  s.elapsed = 170'000ms;  // 99 left at one per 170 s, but the timeout ends the run in 10 s
  CHECK(cast::controller::estimate_eta(s) == 10'000ms);
}

TEST_CASE("progress clock: minutes and seconds, hours past an hour, negative as zero") {
  CHECK(cast::controller::format_clock(65'999ms) == "1:05");
  CHECK(cast::controller::format_clock(3'723'000ms) == "1:02:03");
  CHECK(cast::controller::format_clock(-5'000ms) == "0:00");
}

TEST_CASE("progress reporter: a terminal line rewritten in place, ending on a new line") {
  std::ostringstream out;
  cast::controller::ProgressReporter reporter{out, cast::controller::ProgressStyle::terminal};
  auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  reporter.update(midway(), t0);
  reporter.update(midway(), t0 + 10ms);  // too soon: not redrawn
  reporter.finish(midway());
  std::string text = out.str();
  std::string line = cast::controller::format_progress(midway());
  CHECK(text == "\r" + line + "\033[K" + "\r" + line + "\033[K\n");
}

TEST_CASE("progress reporter: plain lines at most every period, nothing when quiet") {
  std::ostringstream plain;
  cast::controller::ProgressReporter reporter{plain, cast::controller::ProgressStyle::plain, 5s};
  auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  reporter.update(midway(), t0);
  reporter.update(midway(), t0 + 4s);
  reporter.update(midway(), t0 + 5s);
  reporter.finish(midway());
  std::string line = "progress: " + cast::controller::format_progress(midway()) + "\n";
  CHECK(plain.str() == line + line + line);
  CHECK(plain.str().find('\r') == std::string::npos);

  std::ostringstream silent;
  cast::controller::ProgressReporter quiet{silent, cast::controller::ProgressStyle::quiet};
  quiet.update(midway(), t0);
  quiet.finish(midway());
  CHECK(silent.str().empty());
}

TEST_CASE("progress reporter: a terminal line longer than the terminal is cut, so \\r rewrites all of it") {
  ProgressSnapshot s = midway();
  s.planned = 4'000'000'000u;
  s.connecting = 1'000'000'000u;
  s.started = 1'000'000'000u;
  s.done = 1'000'000'000u;
  s.failed = 999'999'999u;
  s.cancelled = 1u;
  std::ostringstream out;
  cast::controller::ProgressReporter reporter{out, cast::controller::ProgressStyle::terminal};
  reporter.update(s, std::chrono::steady_clock::time_point{});
  std::string text = out.str();
  REQUIRE(text.starts_with("\r"));
  CHECK(text.size() == 1 + 99 + 3);
}
