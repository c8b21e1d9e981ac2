#pragma once

// Waiting in tests without timing assertions: poll until `predicate` holds or
// a generous deadline passes, then give its final answer.

#include <chrono>
#include <thread>

namespace cast::test {

template <typename Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds patience = std::chrono::seconds{60},
                std::chrono::milliseconds poll = std::chrono::milliseconds{50}) {
  auto deadline = std::chrono::steady_clock::now() + patience;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) {
      return true;
    }
    std::this_thread::sleep_for(poll);
  }
  return predicate();
}

}  // namespace cast::test
