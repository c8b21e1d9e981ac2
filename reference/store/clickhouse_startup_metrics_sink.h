#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "reference/store/stores.h"

namespace cast::reference {

// `agent_startup_metrics` in ClickHouse over HTTP. record() only queues; one
// flusher thread sends a batch as a single INSERT ... FORMAT JSONEachRow when
// `batch_rows` rows are queued or the oldest has waited `flush_after`. A
// failed insert is logged and retried once; rows that fail twice are counted
// as lost, never dropped silently.
class ClickHouseStartupMetricsSink : public StartupMetricsSink {
 public:
  // `url` like http://127.0.0.1:8123/?database=cast. Creates the database
  // and table (idempotent); throws std::runtime_error naming the URL
  // (without password) when ClickHouse does not answer.
  ClickHouseStartupMetricsSink(std::string url, std::size_t batch_rows,  // rows per insert
                               std::chrono::milliseconds flush_after);   // longest a row waits
  // Sends everything still queued, then stops the flusher.
  ~ClickHouseStartupMetricsSink() override;

  void record(StartupMetric metric) override;
  void flush() override;
  MetricsSinkCounters counters() const override;

 private:
  struct QueuedRow {
    StartupMetric metric;
    std::chrono::steady_clock::time_point queued_at;
  };

  void run_flusher();
  bool batch_due(std::chrono::steady_clock::time_point now) const;
  std::vector<StartupMetric> take_batch();
  bool insert(const std::vector<StartupMetric>& batch);
  bool post_once(const std::string& body);
  void create_schema();

  std::string url_;
  std::string shown_url_;  // url_ without password
  std::string database_;
  std::size_t batch_rows_;
  std::chrono::milliseconds flush_after_;

  mutable std::mutex mutex_;
  std::condition_variable wake_flusher_;
  std::condition_variable batch_done_;
  std::deque<QueuedRow> queue_;
  MetricsSinkCounters counters_;
  std::uint64_t rows_handled_{0};  // written or lost, in record() order
  std::uint64_t flush_up_to_{0};   // rows a flush() waits for
  bool stopping_{false};
  std::thread flusher_;  // last: starts once everything above exists
};

}  // namespace cast::reference
