#pragma once

// What a run leaves behind, folded from the workers' event streams: one
// outcome per user, every observed payload, per-worker and resource
// figures. Analysis judges it; reports render it. No gRPC or proto types
// here, so both stay cheap to include.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "controller/analysis/verdict.h"

namespace cast::controller {

enum class ObservationChannel { ws, rest };

// A payload a user received, kept (capped) as evidence.
struct Observation {
  std::uint32_t user_index{0};
  ObservationChannel channel{ObservationChannel::ws};
  std::string payload;             // at most the payload cap, bytes
  std::uint32_t original_size{0};  // bytes before truncation
  bool truncated{false};
  std::string request_id;  // as extracted by the worker's scenario
  std::string agent_id;
  std::int64_t offset_us{0};  // since that worker's go, microseconds
  std::string phase;          // phase the user was in
  // Which part of what was received: empty for a frame or an answer body;
  // "answer headers", "upgrade headers", "upgrade answer", "error message".
  std::string part;
};

struct UserOutcome {
  std::uint32_t index{0};
  std::string user_id;
  std::string worker_id;
  bool done{false};    // every step finished
  bool failed{false};  // a step failed; see failed_phase
  std::string failed_phase;
  std::string error_kind;
  std::string error_message;
  std::optional<std::int64_t> token_us;  // durations from each step's scheduled start, microseconds
  std::optional<std::int64_t> connect_us;
  std::optional<std::int64_t> start_us;  // start_agent -> agent_started
  std::vector<std::int64_t> message_us;  // each message round trip
  std::optional<std::int64_t> state_us;
  std::int64_t max_schedule_lag_us{0};              // worst actual-minus-scheduled step start
  std::string agent_id;                             // from agent_started
  std::optional<std::int64_t> platform_startup_us;  // startup_ms the platform put in its agent_started, microseconds
  bool closed_unexpectedly{false};                  // the server closed the connection mid-session
  bool lost{false};                                 // its worker was lost before the user finished
  // Chaos (--cancel-rate): dropped its connection mid-request on purpose.
  // Neither done nor failed; judges leave it out of success and drop counts.
  bool cancelled{false};
  // When the user moved on, microseconds since the go (the workers' common
  // start), for the report's timeline; unset until it happened.
  std::optional<std::int64_t> began_at_us;          // first step's actual start
  std::optional<std::int64_t> connected_at_us;      // WebSocket open
  std::optional<std::int64_t> agent_started_at_us;  // agent_started received
  std::optional<std::int64_t> finished_at_us;       // done, failed or cancelled
};

struct WorkerRecord {
  std::string worker_id;
  std::string host;
  std::uint32_t pid{0};
  std::uint32_t capacity{0};
  std::uint32_t users{0};
  std::uint64_t events{0};
  std::uint64_t max_loop_lag_us{0};
  double peak_cpu_percent{0};  // of one core
  std::uint32_t cores{0};      // cores the worker may use; 0 = not reported, judged as one
  std::uint64_t peak_rss_bytes{0};
  bool lost{false};
  // The worker's own account of its harness (Done, else the last
  // heartbeat): handler exceptions caught at a loop boundary, user failures
  // by error kind and by the phase they failed in.
  std::uint64_t harness_errors{0};
  std::map<std::string, std::uint32_t> errors_by_kind;
  std::map<std::string, std::uint32_t> failures_by_phase;
  // Liveness: users it finished and users lost with it, and when and why
  // it was lost ("before the go (ready)", "running", "probing").
  std::uint32_t users_finished{0};
  std::uint32_t users_lost{0};
  std::string lost_phase;
  std::string lost_reason;
  double lost_after_go_s{0};           // when it was lost, seconds after the go (negative: before)
  std::uint32_t users_taken_over{0};   // users it took over from workers lost before the go
  std::uint32_t users_handed_over{0};  // its users dealt to the others, when it was lost before the go
  // Clock estimate from Ping/Pong (NTP-style, smallest round trip kept).
  std::uint32_t clock_samples{0};
  std::int64_t round_trip_us{0};
  std::int64_t clock_offset_us{0};  // its clock minus the controller's
  bool synchronized_start{false};   // its Go named the common instant on its own clock
  std::int64_t first_start_us{0};   // its earliest user step start, controller clock, relative to the common instant
  // Its go instant as it reported it (Done.go_worker_us), controller clock,
  // relative to the common instant: how far its clock estimate put it off.
  bool start_placed{false};  // first_start_us is known
  bool go_reported{false};
  std::int64_t go_at_us{0};
};

struct ResourceSample {
  double t_s{0};                   // since the run started, seconds
  double host_cpu_percent{0};      // all cores, %
  double platform_rss_mb{0};       // platform processes' resident memory, MB
  double platform_cpu_percent{0};  // of one core
};

// What the isolation checks that run after the sessions found: the
// contamination detector over every observation, the authorization probes,
// the persistence validators. Each finding names its test case.
struct IsolationEvidence {
  bool contamination_scanned{false};
  bool probes_run{false};
  bool persistence_checked{false};
  std::string persistence_note;  // why the stores were not checked, when they were not
  std::size_t probes{0};         // probe calls made
  // Probe steps (an attack on a victim, or a read-back) planned on workers
  // that were lost or never answered, with no result: the phase is then
  // incomplete and test case 5 cannot pass.
  std::size_t probe_steps_planned{0};
  std::size_t probe_steps_missing{0};
  std::vector<std::string> probe_gaps;     // one line per worker that did not finish its rounds
  bool signing_secret_known{false};        // the forgeries could be signed with the platform's key
  std::vector<ForgeryCoverage> forgeries;  // one per forgery kind, when the probes ran
  // The forged tokens went with a sample of the attacks: this many of the
  // attack pairs, at most `forgery_attackers` per worker and tenant crossing
  // (0 = every attack was asked to send them).
  std::size_t attack_pairs{0};
  std::size_t forging_pairs{0};
  std::size_t forgery_attackers{0};
  std::vector<Finding> findings;
  // The contamination scan lists at most `findings_cap` distinct findings;
  // payloads with test case 2 evidence past it are only counted here.
  std::size_t findings_cap{0};
  std::size_t cross_contamination_payloads_past_cap{0};
};

// Where the controller's own time went, seconds (0: the phase did not run).
struct RunTimings {
  double sessions_s{0};            // go to the last user's end (and the drain after)
  double fold_s{0};                // of that, folding the workers' events into the record
  double probes_s{0};              // authorization probe phase
  double contamination_scan_s{0};  // every observed payload scanned
  double persistence_s{0};         // store validators and cleanup
  double judge_s{0};               // test cases and verdict
};

struct RunRecord {
  std::string run_id;
  std::uint32_t users_planned{0};
  double duration_s{0};           // first go to last user done, seconds
  std::int64_t start_skew_us{0};  // spread of the users' actual first-step starts, microseconds
  // Spread of the workers' first user starts on the controller's clock
  // (through each worker's clock estimate), microseconds; -1 = fewer than
  // two workers started users. Uncertain by up to half the largest round trip.
  std::int64_t worker_start_skew_us{-1};
  std::int64_t worker_start_skew_uncertainty_us{0};
  bool worker_loss_allowed{false};  // --allow-worker-loss
  std::vector<UserOutcome> users;   // by index
  std::vector<Observation> observations;
  std::vector<WorkerRecord> workers;
  std::vector<ResourceSample> resources;
  // Test case 3's host CPU is the platform's share of its host. The harness
  // can only know it when the platform runs here (the embedded default),
  // where the raw host figure would also count the harness itself.
  bool platform_local{false};
  std::uint32_t host_cores{0};
  std::vector<std::string> notes;  // things the run wants a reader to know (e.g. a worker lost)
  IsolationEvidence isolation;
  RunTimings timings;
};

}  // namespace cast::controller
