#pragma once

#include <chrono>

// The one default of each limit the controller and the workers share. The
// controller's RunConfig starts from these and sends them in every
// Assignment (Scenario.*_timeout_ms); a worker falls back to them only when
// an assignment leaves one at 0, so both ends agree without repeating a
// number.
namespace cast::defaults {

using std::chrono::milliseconds;

inline constexpr milliseconds kTokenTimeout{10'000};         // ms; one token request, connect to last byte
inline constexpr milliseconds kConnectTimeout{10'000};       // ms; TCP connect + TLS handshake, and again the upgrade
inline constexpr milliseconds kAgentStartupTimeout{30'000};  // ms; start_agent -> agent_started (AGENT_STARTUP_TIMEOUT)
inline constexpr milliseconds kMessageTimeout{15'000};       // ms; one message round trip, state read or close
inline constexpr milliseconds kRunTimeout{180'000};          // ms; go -> every user finished (CONCURRENT_TEST_TIMEOUT)

// gRPC keepalive of the control stream, on both ends: a ping after this
// much silence, and the stream given up when the ping is not answered
// within as long again.
inline constexpr milliseconds kControlKeepalive{10'000};  // ms

// Liveness of the control plane, both ways, above TCP (a cut link resets
// nothing). The controller pings every attached worker this often, and the
// worker answers each Ping with a Pong at once.
inline constexpr milliseconds kPingInterval{250};  // ms
// A worker that has heard nothing at all from its controller (no Ping, no
// message, on any stream) for this long takes it for dead: it stops its
// load and exits 4. Eight missed Pings; longer than the controller's own
// 1 s reconnect grace, so a worker that could not come back by then has
// been given up by a live controller anyway.
inline constexpr milliseconds kControllerSilence{2'000};  // ms

}  // namespace cast::defaults
