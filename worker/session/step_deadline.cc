#include "worker/session/step_deadline.h"

namespace cast::worker {

StepDeadline::StepDeadline(boost::asio::io_context& ioc, std::function<void()> expired)
    : timer_(ioc), expired_(std::move(expired)) {}

void StepDeadline::set(Clock::time_point due) {
  due_ = due;
  watch();
}

void StepDeadline::stop() {
  due_ = kNone;
  if (armed_ != kNone) {
    armed_ = kNone;
    timer_.cancel();
  }
}

// A pending wait that fires no later than the deadline will look again when
// it fires; only an earlier deadline needs the timer moved.
void StepDeadline::watch() {
  if (due_ == kNone || armed_ <= due_) {
    return;
  }
  armed_ = due_;
  timer_.expires_at(due_);  // cancels a later pending wait, whose handler then does nothing
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) {
      on_fire();
    }
  });
}

void StepDeadline::on_fire() {
  armed_ = kNone;
  if (due_ == kNone) {
    return;
  }
  if (Clock::now() < due_) {
    watch();
    return;
  }
  due_ = kNone;
  expired_();
}

}  // namespace cast::worker
