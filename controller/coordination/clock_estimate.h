#pragma once

#include <cstdint>

namespace cast::controller {

// One worker's monotonic clock as seen from the controller's, NTP-style,
// from Ping/Pong pairs: a Ping leaves at controller time t_send, the worker
// stamps its own clock w when it answers, the Pong arrives at t_recv.
//   round trip = t_recv - t_send
//   offset     = w - (t_send + t_recv) / 2     (worker minus controller)
// The sample with the smallest round trip is kept: its offset is off by at
// most half that round trip, and queueing only ever makes a trip longer.
class ClockEstimate {
 public:
  // Microseconds on each side's steady clock. Impossible samples (the Pong
  // arriving before its Ping left) are ignored.
  void add_sample(std::int64_t sent_us, std::int64_t worker_us, std::int64_t received_us);

  bool known() const { return samples_ > 0; }
  std::uint32_t samples() const { return samples_; }
  std::int64_t best_round_trip_us() const { return best_rtt_us_; }
  std::int64_t offset_us() const { return offset_us_; }
  // The worker's clock reading at controller instant `controller_us`.
  std::int64_t to_worker(std::int64_t controller_us) const { return controller_us + offset_us_; }
  std::int64_t to_controller(std::int64_t worker_us) const { return worker_us - offset_us_; }

 private:
  std::uint32_t samples_ = 0;
  std::int64_t best_rtt_us_ = 0;
  std::int64_t offset_us_ = 0;
};

}  // namespace cast::controller
