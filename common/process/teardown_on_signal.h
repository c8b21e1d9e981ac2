#pragma once

#include <atomic>
#include <csignal>
#include <functional>
#include <thread>

namespace cast {

// Runs a teardown when the process gets SIGINT or SIGTERM, then ends the
// process with the status the teardown returns (conventionally 128+signal).
//
// The constructor blocks both signals in the calling thread, and threads
// created afterwards inherit that mask, so construct it in main before any
// other thread starts; a dedicated thread takes the signals with sigwait, so
// the teardown may do anything (no async-signal-safety limits). Children
// spawned through ChildProcess get the default mask back.
class TeardownOnSignal {
 public:
  using Teardown = std::function<int(int signal)>;  // returns the exit status

  explicit TeardownOnSignal(Teardown teardown);
  // Stops watching (the signals stay blocked: a late one stays pending
  // instead of killing the process halfway through its own cleanup).
  ~TeardownOnSignal();
  TeardownOnSignal(const TeardownOnSignal&) = delete;
  TeardownOnSignal& operator=(const TeardownOnSignal&) = delete;

  static int default_status(int signal) { return 128 + signal; }

 private:
  void watch();

  Teardown teardown_;
  sigset_t signals_{};
  std::atomic<bool> stopping_{false};
  std::thread watcher_;
};

}  // namespace cast
