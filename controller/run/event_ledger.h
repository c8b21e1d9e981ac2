#pragma once

// Folds the workers' event streams into a RunRecord as events arrive. The
// controller's run loop owns it and feeds it from one thread, so it takes
// no locks; a worker's lost stream leaves everything already folded intact.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/stats/log_histogram.h"
#include "controller/analysis/run_record.h"

namespace cast::v1 {
class Event;
}

namespace cast::controller {

struct PlannedUser;

// Users by where they are, kept up to date as events are folded, for the
// live progress line and the users-by-phase metric.
struct UserCounts {
  std::uint32_t connecting{0};  // not finished, no agent started yet
  std::uint32_t started{0};     // agent started, not finished
  std::uint32_t done{0};
  std::uint32_t failed{0};     // failed or lost with their worker
  std::uint32_t cancelled{0};  // dropped their connection on purpose (--cancel-rate)
};

class EventLedger {
 public:
  // `user_ids[i]` is the id of user i; every user starts as not done.
  explicit EventLedger(const std::vector<std::string>& user_ids);

  // Records that `worker_id` runs these user indices.
  void assign(const std::string& worker_id, const std::vector<std::uint32_t>& user_indices);
  void apply(const std::string& worker_id, const v1::Event& event);
  // The worker's stream ended for good: its unfinished users are lost
  // (failed in phase "lost", never passed). Returns how many. `while_doing`
  // says what the worker was doing, for the note.
  std::uint32_t mark_worker_lost(const std::string& worker_id, const std::string& while_doing = "running");
  // The user's earliest actual step start, microseconds after its worker's go; none before any step.
  std::optional<std::int64_t> first_start_us(std::uint32_t user_index) const;
  // Fills the record's derived figures (start skew) once events stop.
  void finalize();

  std::uint64_t events_applied() const { return events_; }
  std::uint32_t users_finished() const { return finished_; }
  UserCounts user_counts() const;
  // Every startup folded so far (display only; verdicts use exact samples).
  const LogHistogram& startups() const { return startups_; }
  const RunRecord& record() const { return record_; }
  RunRecord& record() { return record_; }

 private:
  void apply_step(UserOutcome& user, const v1::Event& event);
  void apply_failure(UserOutcome& user, const v1::Event& event);
  void observe(const v1::Event& event);
  void observe_error(const v1::Event& event);
  void finish(UserOutcome& user, std::optional<std::int64_t> at_us);

  RunRecord record_;
  std::vector<std::int64_t> first_step_offset_us_;  // per user; INT64_MIN until seen
  std::vector<bool> finished_users_;                // per user: counted in finished_
  std::uint64_t events_{0};
  std::uint32_t finished_{0};
  std::uint32_t agents_started_{0};    // users whose agent started
  std::uint32_t started_finished_{0};  // of those, finished since
  std::uint32_t done_{0}, cancelled_{0};
  LogHistogram startups_;
};

}  // namespace cast::controller
