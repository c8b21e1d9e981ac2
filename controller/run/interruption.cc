#include "controller/run/interruption.h"

#include <unistd.h>
#include <atomic>
#include <csignal>

namespace cast::controller {
namespace {

// Atomic, not a volatile sig_atomic_t: the handler runs on whichever thread
// the kernel picks (any that does not block the signal: gRPC's did),
// and the run loop reads the flag on the main thread; a volatile is only
// safe within one thread (TSan saw the race). A lock-free atomic is also
// safe to touch in a signal handler.
std::atomic<int> requested_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void on_interrupt(int signal) {
  if (requested_signal.load() != 0) _exit(128 + signal);
  requested_signal.store(signal);
}

}  // namespace

void install_interruption_handlers() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool interruption_requested() { return requested_signal.load() != 0; }
int interruption_signal() { return requested_signal.load(); }

}  // namespace cast::controller
