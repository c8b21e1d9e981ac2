#include "worker/session/loop_ticker.h"

namespace cast::worker {
namespace {

// Counters are republished every this many ticks: often enough for a
// heartbeat a second, rarely enough to cost nothing.
constexpr unsigned kPublishEvery = 10;

}  // namespace

LoopTicker::LoopTicker(boost::asio::io_context& ioc, EventBuffer& events, LoopHealth& health, Hooks hooks,
                       std::chrono::milliseconds period)
    : timer_(ioc), events_(events), health_(health), hooks_(std::move(hooks)), period_(period) {}

void LoopTicker::start() {
  due_ = Clock::now() + period_;
  arm();
}

void LoopTicker::finish() {
  events_.flush();
  if (hooks_.publish) {
    hooks_.publish();
  }
}

void LoopTicker::arm() {
  timer_.expires_at(due_);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) {
      on_fire();
    }
  });
}

void LoopTicker::on_fire() {
  auto now = Clock::now();
  health_.record_lag(static_cast<std::uint64_t>(
      std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::microseconds>(now - due_).count())));
  if (hooks_.finished && hooks_.finished()) {
    finish();
    return;
  }
  events_.flush();
  if (++ticks_ % kPublishEvery == 0 && hooks_.publish) {
    hooks_.publish();
  }
  // A late tick is not made up with a burst: the next one is a period away.
  due_ = std::max(due_ + period_, now + period_ / 2);
  arm();
}

}  // namespace cast::worker
