#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cast_control.pb.h"
#include "common/protocol/timeouts.h"

namespace cast::worker {

// TLS to the controller, PEM text (the caller reads the files, so errors
// name them). Any of ca or cert_chain set = TLS: the controller's
// certificate is verified against `ca` (gRPC's default roots when empty)
// and must name `server_name` (the address's host when empty);
// cert_chain + private_key = this worker's certificate, for a controller
// that requires one (mutual TLS).
struct ClientTls {
  std::string ca;
  std::string server_name;
  std::string cert_chain;
  std::string private_key;
  bool enabled() const { return !ca.empty() || !cert_chain.empty(); }
};

struct ControllerLinkConfig {
  std::string controller_address;                       // host:port of the controller (127.0.0.1:7000)
  std::string auth_token;                               // shared secret, sent in Hello; empty when none
  ClientTls tls;                                        // none = plaintext
  cast::v1::Hello hello;                                // who we are: worker_id, host, pid, capacity, cores, version
  std::chrono::milliseconds heartbeat_interval{1'000};  // ms between heartbeats
  std::chrono::milliseconds reconnect_delay{200};       // ms between attempts after a broken stream
  std::chrono::milliseconds give_up_after{30'000};      // ms without a working stream before failing
  // ms without a word from the controller, once it has answered a Hello,
  // before it is taken for dead (see controller_lost()).
  std::chrono::milliseconds controller_silence{defaults::kControllerSilence};
  std::size_t batch_max_events{1'000};    // events per EventBatch, count
  std::size_t batch_max_bytes{1u << 20};  // EventBatch size target, bytes
};

struct LinkStats {
  std::uint64_t last_seq = 0;        // highest seq handed out
  std::uint64_t acknowledged = 0;    // highest seq the controller acknowledged
  std::size_t unacknowledged = 0;    // events still held in the outbox
  std::uint32_t streams_opened = 0;  // 1 + reconnects
  std::uint32_t parts_refused = 0;   // assignment parts refused for coming after the go
};

// The worker's end of the control stream. It dials the controller, says
// Hello, receives the Assignment, reports Ready, waits for Go and streams
// events. Every event stays in an outbox until acknowledged; when the stream
// breaks the link reconnects under the same worker id and resends what the
// controller does not hold. All methods are thread-safe.
class ControllerLink {
 public:
  // Fills the measured part of each heartbeat (CPU, RSS, loop lag, phases);
  // called on the link's own thread.
  using HeartbeatSource = std::function<cast::v1::Heartbeat()>;

  explicit ControllerLink(ControllerLinkConfig config, HeartbeatSource heartbeat_source = {});
  ~ControllerLink();  // abandons the stream if close() was not called
  ControllerLink(const ControllerLink&) = delete;
  ControllerLink& operator=(const ControllerLink&) = delete;

  // Starts dialing on a thread of its own. Call after any fork/exec.
  void start();

  // Nothing on timeout, abort or permanent failure (see failure()).
  std::optional<cast::v1::Assignment> wait_for_assignment(std::chrono::milliseconds timeout);
  // `users_prepared`: every user this worker holds; `parts_prepared`: 1 +
  // the highest assignment part among them. A Ready for more users replaces
  // the one before (and is sent again, as the controller waits for it).
  void report_ready(std::uint32_t users_prepared, std::uint32_t parts_prepared = 1);
  // The monotonic instant all users start at (receipt of Go + its offset).
  // Returns early with nothing when more users were dealt: take_more_users.
  std::optional<std::chrono::steady_clock::time_point> wait_for_go(std::chrono::milliseconds timeout);
  // The further assignment parts (users of a worker lost before the go)
  // received since the last call, each handed out once, in order. Empty
  // once the go came: a part that comes, or is still here, after it is
  // refused and logged (LinkStats::parts_refused), never run.
  std::vector<cast::v1::Assignment> take_more_users();

  // Numbers the events and queues them as one chunk; never waits for the
  // network, and wakes the writer only when it is idle. One short lock per
  // batch: build batches on the loop threads. Returns the last seq.
  std::uint64_t emit_batch(std::vector<cast::v1::Event>&& events);
  std::uint64_t emit(cast::v1::Event event);
  // Sent after every event emitted before it. The stream stays open: the
  // controller may follow with probe plans, and ends the run with a Release.
  void report_done(const cast::v1::Done& done);
  bool wait_until_acknowledged(std::chrono::milliseconds timeout);

  // The next probe plan round, each round handed out once (a round re-sent
  // after a reconnect is ignored). Nothing once released, aborted or
  // stopped, or on timeout.
  std::optional<cast::v1::ProbePlan> wait_for_probe_plan(std::chrono::milliseconds timeout);
  // Sent after every event emitted before it.
  void report_probe_done(const cast::v1::ProbeDone& done);
  // True once the controller sent Release, or the stream ended while this
  // worker had reported Done, had every event acknowledged and held no
  // unanswered probe round: then the link stops by itself.
  bool wait_for_release(std::chrono::milliseconds timeout);
  bool released() const;

  // Waits for every event to be acknowledged, ends the stream cleanly and
  // stops. False if that did not happen within `timeout` (then it abandons).
  bool close(std::chrono::milliseconds timeout);
  // Breaks the current stream as a network fault would; the link reconnects.
  void interrupt();
  // Drops the stream and never reconnects: to the controller, this worker vanished.
  void abandon();

  std::optional<std::string> abort_reason() const;
  // Why the link stopped for good (refused, gave up reconnecting, the
  // controller lost), if it did.
  std::optional<std::string> failure() const;
  // The controller, heard from before, has said nothing for
  // `controller_silence` (its Pings stopped, on any stream): it is dead or
  // cut off, and the link has stopped for good. The worker must stop its load.
  bool controller_lost() const;
  LinkStats stats() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace cast::worker
