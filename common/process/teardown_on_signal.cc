#include "common/process/teardown_on_signal.h"

#include <pthread.h>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace cast {

TeardownOnSignal::TeardownOnSignal(Teardown teardown) : teardown_(std::move(teardown)) {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
  watcher_ = std::thread([this] { watch(); });
}

TeardownOnSignal::~TeardownOnSignal() {
  stopping_ = true;
  watcher_.join();
}

void TeardownOnSignal::watch() {
  // A timed wait lets the destructor end this thread without a signal of its own.
  const timespec tick{0, 100'000'000};
  while (!stopping_) {
    int sig = sigtimedwait(&signals_, nullptr, &tick);
    if (sig <= 0) {
      continue;
    }
    int status = default_status(sig);
    try {
      status = teardown_(sig);
    } catch (...) {
      // The process ends either way; the status tells the signal.
    }
    std::fflush(nullptr);
    // _Exit, not exit: main may still be running, and static destructors
    // racing it would do more harm than the teardown already undid.
    std::_Exit(status);
  }
}

}  // namespace cast
