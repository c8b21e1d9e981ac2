#pragma once

// Internal to the control link: the state behind ControllerLink, shared by
// controller_link.cc (the API the worker calls) and link_state.cc (what the
// streams and the link's own thread do).

#include <condition_variable>
#include <mutex>
#include <thread>

#include "worker/control/controller_link.h"
#include "worker/control/event_outbox.h"
#include "worker/control/link_stream.h"
#include "worker/control/link_tls.h"

namespace cast::worker {

// A steady-clock instant as the protocol carries it: microseconds since the
// clock's epoch (Pong.worker_time_us, Go.start_at_worker_us).
inline std::int64_t steady_micros(std::chrono::steady_clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count();
}

struct ControllerLink::State final : LinkPeer {
  using Clock = std::chrono::steady_clock;

  State(ControllerLinkConfig config_in, HeartbeatSource source)
      : config(std::move(config_in)), heartbeat_source(std::move(source)) {}

  Next next_write(LinkStream& stream, cast::v1::WorkerMessage& out, UnsentEvents& events) override;
  void on_message(LinkStream& stream, cast::v1::ControllerMessage&& message) override;
  void on_done(LinkStream& stream, const grpc::Status& status) override;

  // The link's thread: one stream after another until closed, abandoned or refused.
  void run();
  void open_stream();
  grpc::Status wait_for_stream_end();
  bool keep_going(const grpc::Status& status, Clock::time_point& last_working);
  bool finished_with_run() const;
  void send_heartbeat();
  // Liveness of the controller, under the lock: when it is due to be taken
  // for dead, and doing so (the reason becomes the failure).
  Clock::time_point silence_deadline() const;
  bool controller_silent(Clock::time_point now) const;
  void declare_controller_lost(Clock::time_point now);
  Clock::time_point go_instant(const cast::v1::Go& go) const;
  // Under the lock: a further Assignment part, kept until handed out,
  // ignored when re-sent, refused after the go.
  void receive_part(cast::v1::Assignment&& part);
  void refuse_parts(const std::vector<cast::v1::Assignment>& parts, const char* when);
  std::shared_ptr<LinkStream> current_stream() const;
  void pump_current();

  ControllerLinkConfig config;
  HeartbeatSource heartbeat_source;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<cast::v1::Control::Stub> stub;
  std::thread thread;

  mutable std::mutex mutex;
  std::condition_variable changed;
  EventOutbox outbox;

  // The current stream and how far it got.
  std::shared_ptr<LinkStream> stream;
  bool hello_sent = false;
  bool resumed = false;  // the controller answered Hello with its Ack
  bool ready_sent = false;
  bool done_sent = false;
  bool probe_done_sent = false;
  std::optional<cast::v1::Heartbeat> heartbeat_due;
  std::optional<cast::v1::Pong> pong_due;     // the latest Ping, not yet answered
  std::optional<grpc::Status> stream_status;  // set by OnDone
  std::uint32_t streams_opened = 0;
  bool ever_resumed = false;   // some stream got the controller's Ack: it was reached once
  FirstContact first_contact;  // judges the failures until then

  // What outlives streams.
  std::optional<cast::v1::Assignment> assignment;
  // Parts 1, 2, ...: users dealt here after the assignment (those of a
  // worker lost before the go), received and not yet handed out. A part
  // re-sent after a reconnect is ignored by its number.
  std::vector<cast::v1::Assignment> more_users;
  std::uint32_t parts_seen = 0;     // 1 + the highest part received
  std::uint32_t parts_refused = 0;  // came, or were still unprepared, after the go
  std::optional<cast::v1::Ready> ready;
  std::optional<cast::v1::Done> done;
  std::optional<cast::v1::ProbePlan> probe_plan;  // received, not yet handed out
  std::uint32_t probe_round_seen = 0;             // highest round received
  std::optional<cast::v1::ProbeDone> probe_done;  // latest round answered
  bool released = false;
  std::optional<Clock::time_point> go_at;
  std::optional<Clock::time_point> last_heard;  // any message from the controller, on any stream
  bool controller_lost = false;
  std::optional<std::string> abort_reason;
  std::optional<std::string> failure;
  bool closing = false;
  bool abandoned = false;
  bool interrupted = false;  // interrupt() broke the current stream on purpose
  bool stopped = false;
};

}  // namespace cast::worker
