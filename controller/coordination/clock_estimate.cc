#include "controller/coordination/clock_estimate.h"

namespace cast::controller {

void ClockEstimate::add_sample(std::int64_t sent_us, std::int64_t worker_us, std::int64_t received_us) {
  std::int64_t rtt = received_us - sent_us;
  if (rtt < 0) {
    return;
  }
  ++samples_;
  if (samples_ == 1 || rtt < best_rtt_us_) {
    best_rtt_us_ = rtt;
    // Halved separately so that two large clock readings cannot overflow.
    offset_us_ = worker_us - (sent_us / 2 + received_us / 2 + (sent_us % 2 + received_us % 2) / 2);
  }
}

}  // namespace cast::controller
