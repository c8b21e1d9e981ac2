#pragma once

// Narrow header (pulls in Asio): for worker/session .cc files only.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>

namespace cast::worker {

// The deadline of a user's current step, on one timer that is re-armed
// lazily. A session moves through a step every few milliseconds while its
// timeouts are seconds long, so re-arming the timer at every step would
// cancel a wait (one aborted handler, often a timerfd update) per step for
// a deadline that almost never fires. Instead the pending wait is kept:
// when it fires early (the deadline moved later meanwhile) it looks at the
// current deadline and waits again; only a deadline earlier than the pending
// wait re-arms the timer. Loop thread only.
class StepDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  // `expired` runs on the loop thread once the deadline set last has passed.
  StepDeadline(boost::asio::io_context& ioc, std::function<void()> expired);

  // The current step must end by `due`; replaces any earlier deadline.
  void set(Clock::time_point due);
  // No deadline until the next set() (between steps, while waiting).
  void clear() { due_ = kNone; }
  // Drops the pending wait, so that a finished user keeps its loop from
  // ending no longer than it has to.
  void stop();

 private:
  static constexpr Clock::time_point kNone = Clock::time_point::max();
  void watch();
  void on_fire();

  boost::asio::steady_timer timer_;
  std::function<void()> expired_;
  Clock::time_point due_{kNone};
  Clock::time_point armed_{kNone};  // when the pending wait fires; kNone: no wait pending
};

}  // namespace cast::worker
