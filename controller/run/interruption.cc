#include "controller/run/interruption.h"

#include <unistd.h>
#include <csignal>

namespace cast::controller {
namespace {

volatile std::sig_atomic_t requested_signal = 0;

extern "C" void on_interrupt(int signal) {
  if (requested_signal != 0) _exit(128 + signal);
  requested_signal = signal;
}

}  // namespace

void install_interruption_handlers() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool interruption_requested() { return requested_signal != 0; }
int interruption_signal() { return requested_signal; }

}  // namespace cast::controller
