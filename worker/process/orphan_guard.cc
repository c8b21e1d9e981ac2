#include "worker/process/orphan_guard.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "worker/control/controller_link.h"

namespace cast::worker {
namespace {

constexpr std::chrono::milliseconds kPoll{50};

}  // namespace

OrphanGuard::OrphanGuard(const ControllerLink& link, std::chrono::milliseconds grace)
    : thread_([this, &link, grace] { watch(link, grace); }) {}

OrphanGuard::~OrphanGuard() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void OrphanGuard::watch(const ControllerLink& link, std::chrono::milliseconds grace) {
  std::unique_lock lock(mutex_);
  while (!changed_.wait_for(lock, kPoll, [this] { return stop_; })) {
    if (!link.controller_lost()) {
      continue;
    }
    if (changed_.wait_for(lock, grace, [this] { return stop_; })) {
      return;  // the worker stopped its load and is exiting by itself
    }
    spdlog::error("worker: load not stopped within {} ms of losing the controller; ending the process", grace.count());
    spdlog::default_logger()->flush();
    _exit(4);
  }
}

}  // namespace cast::worker
