#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace cast::worker {

class ControllerLink;

// No orphan load, ever: once the link says the controller is lost, the
// worker has `grace` to stop its users and exit on its own; past that, this
// ends the process with exit code 4, and the kernel closes every socket.
// Constructed before the users' engine, so that it still runs while the
// engine is being torn down.
class OrphanGuard {
 public:
  OrphanGuard(const ControllerLink& link, std::chrono::milliseconds grace);
  ~OrphanGuard();
  OrphanGuard(const OrphanGuard&) = delete;
  OrphanGuard& operator=(const OrphanGuard&) = delete;

 private:
  void watch(const ControllerLink& link, std::chrono::milliseconds grace);

  std::mutex mutex_;
  std::condition_variable changed_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace cast::worker
