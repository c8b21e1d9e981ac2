#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cast_control.pb.h"
#include "common/protocol/timeouts.h"
#include "controller/coordination/admission.h"
#include "controller/coordination/message_bounds.h"
#include "controller/coordination/worker_ledger.h"

namespace cast::controller {

// TLS for the control plane: PEM text, not paths (the caller reads the
// files, so errors name the file). No cert = plaintext; client_ca set =
// every worker must present a certificate signed by it (mutual TLS).
struct ServerTls {
  std::string cert_chain;
  std::string private_key;
  std::string client_ca;
  bool enabled() const { return !cert_chain.empty(); }
};

struct CoordinatorConfig {
  std::string listen_host{"127.0.0.1"};
  std::uint16_t port{0};   // 0 = any free port; start() returns the one bound
  std::string auth_token;  // shared secret every Hello must carry; empty = none required
  // A worker whose stream closed may come back within this (ms); after it,
  // it is lost for good.
  std::chrono::milliseconds reconnect_grace{1'000};
  // Liveness: every attached worker is pinged this often (ms), and one the
  // controller has heard nothing from for `silence_timeout` (ms) is lost for
  // good at once: a cut link sends no TCP reset, so only a deadline notices.
  std::chrono::milliseconds ping_interval{defaults::kPingInterval};
  std::chrono::milliseconds silence_timeout{1'500};
  AdmissionRules admission;  // expected workers, protocol version, Hello field lengths
  MessageBounds bounds;      // what a worker may send; beyond it, it is cut off
  ServerTls tls;             // empty = plaintext
};

struct WorkerSnapshot {
  std::string worker_id;
  cast::v1::Hello hello;  // without the auth token
  WorkerState state = WorkerState::connected;
  std::uint64_t events_received = 0;  // distinct events handed to the sink
  std::uint64_t contiguous_seq = 0;   // every seq up to this one is held
  std::uint64_t duplicates = 0;       // events dropped because already held
  std::uint64_t gaps = 0;             // holes seen in the sequence
  std::uint32_t reconnects = 0;
  std::uint32_t users_prepared = 0;
  std::optional<cast::v1::Heartbeat> last_heartbeat;
  std::optional<cast::v1::Done> done;
  std::optional<cast::v1::ProbeDone> probe_done;  // the latest probe round it answered
  bool attached = true;                           // a stream speaks for it right now
  // Lost for good (never came back within the grace, went silent, or was
  // cut off); `lost_while` is what it was doing then.
  bool given_up = false;
  std::string lost_reason;
  WorkerState lost_while = WorkerState::connected;
  std::chrono::steady_clock::time_point lost_at{};
  ClockEstimate clock;                  // from Ping/Pong
  std::int64_t start_at_worker_us = 0;  // the Go's instant on its clock; 0 = sent as an offset only
};

class CoordinationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Receives every new event once, in arrival order per worker. Runs on a gRPC
// thread: it must hand the events over (queue, post to an io_context) and
// return quickly, and should not throw.
using EventSink = std::function<void(const std::string& worker_id, std::vector<cast::v1::Event>&& events)>;

// The controller's end of the control streams: accepts workers, deals out
// assignments, releases them together with one Go and collects their events.
// All methods are thread-safe; the wait_* calls block the calling thread.
class Coordinator {
 public:
  Coordinator(CoordinatorConfig config, EventSink sink);
  ~Coordinator();
  Coordinator(const Coordinator&) = delete;
  Coordinator& operator=(const Coordinator&) = delete;

  // Listens; returns the bound port. Throws CoordinationError naming the address.
  std::uint16_t start();

  // Blocks until `count` workers have said Hello; throws on timeout saying how many came.
  std::vector<WorkerSnapshot> wait_for_workers(std::size_t count, std::chrono::milliseconds timeout);
  // Sends (and remembers, for a reconnect) this worker's assignment; called
  // again for a worker, it sends the next part (users taken over before the go).
  void assign(const std::string& worker_id, cast::v1::Assignment assignment);
  // Blocks until every worker reported Ready or was lost for good; throws on
  // timeout naming the others. Returns the ids lost for good by then (their
  // users are to be dealt to the others before the go).
  std::vector<std::string> wait_for_ready(std::chrono::milliseconds timeout);
  // One Go for all, once every worker's clock is measured (waits for at
  // most two ping intervals more): the common instant is `start_offset` from now on the
  // controller's clock, sent to each worker on its own clock where its
  // offset is known (start_at_worker_us). Returns that instant.
  std::chrono::steady_clock::time_point broadcast_go(std::chrono::milliseconds start_offset);
  // True once every worker is done or lost beyond the grace; false on timeout.
  // Done workers keep their streams open for the probe phase and the Release.
  bool wait_for_finish(std::chrono::milliseconds timeout);
  void abort(const std::string& reason);

  // Sends (and remembers, for a reconnect) one round of a worker's probe plan.
  // Throws CoordinationError for an unknown worker.
  void send_probe_plan(const std::string& worker_id, cast::v1::ProbePlan plan);
  // True once every worker sent round `round` has answered it with ProbeDone
  // or has been away for longer than the reconnect grace; false on timeout.
  bool wait_for_probes(std::uint32_t round, std::chrono::milliseconds timeout);
  // The run is over: every worker (and any that reconnects) is told to exit.
  void release(const std::string& reason);

  std::vector<WorkerSnapshot> workers() const;
  // Ends every stream and stops listening. Idempotent; the destructor calls it.
  void shutdown();

  // The state behind it (coordinator_core.h), named here so that the fuzz
  // target can drive the message handling without a network.
  struct Core;

 private:
  std::unique_ptr<Core> core_;
};

}  // namespace cast::controller
