#pragma once

// Narrow header (pulls in Asio): for worker/session and worker/probe .cc files only.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>

#include "worker/session/event_sink.h"
#include "worker/session/loop_health.h"

namespace cast::worker {

// One periodic timer per event loop, doing the loop's housekeeping in one
// place: it hands the buffered events to the sink, measures the loop's lag
// (how late the timer fired: a loop busy with other handlers fires late) and
// now and then republishes the loop's counters. It stops once `finished`
// says the loop has no more work, after a last flush, so that io_context::run
// can return.
class LoopTicker {
 public:
  using Clock = std::chrono::steady_clock;
  struct Hooks {
    std::function<bool()> finished;  // the loop's users are all done
    std::function<void()> publish;   // copy the loop's counters to its LoopHealth; may be empty
  };

  LoopTicker(boost::asio::io_context& ioc, EventBuffer& events, LoopHealth& health, Hooks hooks,
             std::chrono::milliseconds period = std::chrono::milliseconds{10});

  void start();
  // The last flush and publish, for a loop that ended some other way.
  void finish();

 private:
  void arm();
  void on_fire();

  boost::asio::steady_timer timer_;
  EventBuffer& events_;
  LoopHealth& health_;
  Hooks hooks_;
  std::chrono::milliseconds period_;
  Clock::time_point due_{};
  unsigned ticks_ = 0;
};

}  // namespace cast::worker
