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
#include "controller/coordination/worker_ledger.h"

namespace cast::controller {

struct CoordinatorConfig {
  std::string listen_host{"127.0.0.1"};
  std::uint16_t port{0};  // 0 = any free port; start() returns the one bound
  std::string auth_token;  // shared secret every Hello must carry; empty = none required
  std::chrono::milliseconds reconnect_grace{5'000};  // a lost worker may come back within this (ms)
  std::size_t max_message_bytes{16u << 20};           // largest worker message accepted (bytes)
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
  // Sends (and remembers, for a reconnect) this worker's assignment.
  void assign(const std::string& worker_id, cast::v1::Assignment assignment);
  // Blocks until every worker reported Ready; throws on timeout naming the others.
  void wait_for_ready(std::chrono::milliseconds timeout);
  void broadcast_go(std::chrono::milliseconds start_offset);
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

 private:
  struct Core;
  std::unique_ptr<Core> core_;
};

}  // namespace cast::controller
