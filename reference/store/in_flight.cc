#include "reference/store/in_flight.h"

#include <algorithm>
#include <thread>

namespace cast::reference {

namespace {
// Short enough that a cancelled request lets go of its connection promptly.
constexpr std::chrono::milliseconds poll_interval{2};
}  // namespace

bool hold_in_flight(const ContextRead& read) {
  const auto until = std::chrono::steady_clock::now() + read.in_flight;
  while (true) {
    if (read.client_gone()) {
      return true;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= until) {
      return false;
    }
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(poll_interval, until - now));
  }
}

}  // namespace cast::reference
