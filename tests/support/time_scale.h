#pragma once

// Liveness deadlines in tests, stretched where the build is slow.

#include <chrono>
#include <cstdint>
#include <cstdlib>

namespace cast::test {

// CAST_TEST_TIME_SCALE, the factor by which tests stretch the liveness
// deadlines they give controllers and workers: deploy/test.sh sets it under
// ThreadSanitizer, which runs everything several times slower, so that a
// worker is not declared lost only because TSan stalled it. 1 when unset
// or not a number >= 1: the normal build tests the product's own deadlines.
inline double time_scale() {
  static const double scale = [] {
    const char* text = std::getenv("CAST_TEST_TIME_SCALE");
    double value = text ? std::strtod(text, nullptr) : 1.0;
    return value >= 1.0 ? value : 1.0;
  }();
  return scale;
}

template <class Rep, class Period>
std::chrono::milliseconds scaled(std::chrono::duration<Rep, Period> deadline) {
  auto ms = std::chrono::duration_cast<std::chrono::duration<double, std::milli>>(deadline);
  return std::chrono::milliseconds(static_cast<std::int64_t>(ms.count() * time_scale()));
}

// A CoordinatorConfig's deadlines (silence, reconnect grace), stretched.
template <class Config>
Config with_scaled_deadlines(Config config) {
  config.silence_timeout = scaled(config.silence_timeout);
  config.reconnect_grace = scaled(config.reconnect_grace);
  return config;
}

// A ControllerLinkConfig's deadline for a silent controller, stretched.
template <class Config>
Config with_scaled_silence(Config config) {
  config.controller_silence = scaled(config.controller_silence);
  return config;
}

}  // namespace cast::test
