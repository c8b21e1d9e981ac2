// Liveness of the control plane, the controller's half: a thread of the
// coordinator pings every attached worker (a Ping proves the controller
// alive to the worker and samples the worker's clock), and loses for good
// any worker that has been silent past the deadline or away past the
// reconnect grace. Nothing here depends on TCP noticing a dead peer.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "controller/coordination/coordinator_core.h"

namespace cast::controller {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t micros(Clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count();
}

}  // namespace

void Coordinator::Core::start_liveness() {
  liveness = std::thread([this] {
    std::unique_lock lock(mutex);
    while (!liveness_stop) {
      lock.unlock();
      liveness_tick();
      lock.lock();
      changed.wait_for(lock, config.ping_interval, [this] { return liveness_stop; });
    }
  });
}

void Coordinator::Core::stop_liveness() {
  {
    std::lock_guard lock(mutex);
    liveness_stop = true;
  }
  changed.notify_all();
  if (liveness.joinable()) {
    liveness.join();
  }
}

void Coordinator::Core::liveness_tick() {
  auto now = Clock::now();
  auto silence_us = std::chrono::duration_cast<std::chrono::microseconds>(config.silence_timeout).count();
  std::vector<StreamPtr> alive, silent;
  std::vector<std::string> lost;
  ControllerMessage ping;
  {
    std::lock_guard lock(mutex);
    for (auto it = by_worker.begin(); it != by_worker.end();) {
      std::int64_t quiet_us = micros(now) - it->second->last_heard_us();
      if (quiet_us <= silence_us) {
        alive.push_back((it++)->second);
        continue;
      }
      auto reason = fmt::format("silent for {} ms (deadline {} ms)", quiet_us / 1000, config.silence_timeout.count());
      WorkerState before = ledger.find(it->first)->state;
      if (ledger.give_up(it->first, now, reason) && before != WorkerState::done) {
        lost.push_back(fmt::format("worker {} lost while {}: {}", it->first, to_string(before), reason));
      }
      silent.push_back(it->second);
      it = by_worker.erase(it);
    }
    auto overdue = give_up_overdue(now);
    lost.insert(lost.end(), overdue.begin(), overdue.end());
    ping = next_ping();
  }
  for (const auto& line : lost) {
    spdlog::error("{}", line);
  }
  if (!lost.empty()) {
    changed.notify_all();
  }
  for (const auto& stream : silent) {
    stream->end({EndCode::deadline_exceeded, "no message from this worker within the liveness deadline"});
    stream->cancel();
  }
  for (const auto& stream : alive) {
    stream->send(ping);
  }
}

std::vector<std::string> Coordinator::Core::give_up_overdue(Clock::time_point now) {
  std::vector<std::string> lost;
  for (const auto& id : ledger.overdue(now, config.reconnect_grace)) {
    auto reason = fmt::format("stream closed and not back within {} ms", config.reconnect_grace.count());
    WorkerState before = ledger.find(id)->state_before_loss;
    ledger.give_up(id, now, reason);
    lost.push_back(fmt::format("worker {} lost while {}: {}", id, to_string(before), reason));
  }
  return lost;
}

ControllerMessage Coordinator::Core::next_ping() {
  ControllerMessage ping;
  ping.mutable_ping()->set_id(next_ping_id++);
  ping.mutable_ping()->set_controller_time_us(micros(Clock::now()));
  return ping;
}

void Coordinator::Core::wait_for_clocks(std::uint32_t samples, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  std::unique_lock lock(mutex);
  auto measured = [&] {
    for (const auto& [id, stream] : by_worker) {
      const auto* record = ledger.find(id);
      if (record != nullptr && !record->given_up && record->clock.samples() < samples) return false;
    }
    return true;
  };
  // Pongs do not signal: polled, as they come every ping interval anyway.
  while (!measured() && Clock::now() < deadline) {
    changed.wait_for(lock, std::chrono::milliseconds{10});
  }
}

}  // namespace cast::controller
