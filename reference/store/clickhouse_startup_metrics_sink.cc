#include "reference/store/clickhouse_startup_metrics_sink.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <stdexcept>

#include "common/net/http_client.h"
#include "common/net/redacted_url.h"
#include "common/net/url.h"
#include "common/protocol/schema.h"

namespace cast::reference {

namespace {

constexpr std::chrono::milliseconds request_timeout{10'000};
constexpr std::chrono::milliseconds retry_pause{100};

// The same server without `database=`: CREATE DATABASE must not depend on
// the database already existing.
std::string server_url(const Url& url) {
  std::string text = url.origin() + url.path;
  char separator = '?';
  for (const auto& [name, value] : url.query) {
    if (name != "database") {
      text += separator + url_encode(name) + "=" + url_encode(value);
      separator = '&';
    }
  }
  return text;
}

nlohmann::json to_row(const StartupMetric& metric) {
  // 18.16 has no DateTime64: whole seconds since the epoch, which a
  // DateTime column reads without any time zone guesswork.
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(metric.ts.time_since_epoch()).count();
  return {{"run_id", metric.run_id},
          {"user_id", metric.user_id},
          {"agent_id", metric.agent_id},
          {"startup_ms", std::isfinite(metric.startup_ms) ? metric.startup_ms : 0.0},
          {"ts", seconds}};
}

}  // namespace

ClickHouseStartupMetricsSink::ClickHouseStartupMetricsSink(std::string url, std::size_t batch_rows,
                                                           std::chrono::milliseconds flush_after)
    : url_(std::move(url)),
      shown_url_(redacted_url(url_)),
      batch_rows_(batch_rows < 1 ? 1 : batch_rows),
      flush_after_(flush_after) {
  create_schema();
  flusher_ = std::thread([this] { run_flusher(); });
}

ClickHouseStartupMetricsSink::~ClickHouseStartupMetricsSink() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_flusher_.notify_one();
  flusher_.join();
}

void ClickHouseStartupMetricsSink::create_schema() {
  Url url;
  try {
    url = parse_url(url_);
  } catch (const std::exception& error) {
    throw std::runtime_error("clickhouse store at " + shown_url_ + ": " + error.what());
  }
  const auto found = url.query.find("database");
  database_ = found == url.query.end() ? "default" : found->second;
  for (const auto& statement : schema::clickhouse_statements(database_)) {
    HttpResponse response;
    try {
      response = http_post(server_url(url), statement, request_timeout);
    } catch (const std::exception& error) {
      throw std::runtime_error("clickhouse store at " + shown_url_ +
                               ": unreachable: " + without_passwords_of(url_, error.what()));
    }
    if (response.status != 200) {
      throw std::runtime_error("clickhouse store at " + shown_url_ + ": creating the schema: HTTP " +
                               std::to_string(response.status) + ": " + response.body);
    }
  }
}

void ClickHouseStartupMetricsSink::record(StartupMetric metric) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    // Wake the flusher when a timer starts or a batch fills, not per row.
    wake = queue_.empty() || queue_.size() + 1 >= batch_rows_;
    queue_.push_back(QueuedRow{std::move(metric), std::chrono::steady_clock::now()});
    ++counters_.rows_recorded;
  }
  if (wake) {
    wake_flusher_.notify_one();
  }
}

void ClickHouseStartupMetricsSink::flush() {
  std::unique_lock lock(mutex_);
  const auto target = counters_.rows_recorded;
  flush_up_to_ = std::max(flush_up_to_, target);
  wake_flusher_.notify_one();
  batch_done_.wait(lock, [&] { return rows_handled_ >= target; });
}

MetricsSinkCounters ClickHouseStartupMetricsSink::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

bool ClickHouseStartupMetricsSink::batch_due(std::chrono::steady_clock::time_point now) const {
  return queue_.size() >= batch_rows_ || stopping_ || flush_up_to_ > rows_handled_ ||
         now >= queue_.front().queued_at + flush_after_;
}

void ClickHouseStartupMetricsSink::run_flusher() {
  std::unique_lock lock(mutex_);
  while (!(stopping_ && queue_.empty())) {
    if (queue_.empty()) {
      wake_flusher_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      continue;
    }
    if (!batch_due(std::chrono::steady_clock::now())) {
      wake_flusher_.wait_until(lock, queue_.front().queued_at + flush_after_);
      continue;
    }
    const auto batch = take_batch();
    lock.unlock();
    const bool written = insert(batch);
    lock.lock();
    (written ? counters_.rows_written : counters_.rows_lost) += batch.size();
    rows_handled_ += batch.size();
    batch_done_.notify_all();
  }
}

std::vector<StartupMetric> ClickHouseStartupMetricsSink::take_batch() {
  const auto count = std::min(batch_rows_, queue_.size());
  std::vector<StartupMetric> batch;
  batch.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    batch.push_back(std::move(queue_.front().metric));
    queue_.pop_front();
  }
  return batch;
}

// Runs on the flusher thread: nothing may escape it.
bool ClickHouseStartupMetricsSink::insert(const std::vector<StartupMetric>& batch) {
  std::string body = "INSERT INTO " + database_ + ".agent_startup_metrics FORMAT JSONEachRow\n";
  for (const auto& metric : batch) {
    body += to_row(metric).dump();
    body += '\n';
  }
  if (post_once(body)) {
    return true;
  }
  std::this_thread::sleep_for(retry_pause);
  if (post_once(body)) {
    return true;
  }
  spdlog::error("clickhouse store at {}: gave up on {} startup metric rows after a retry", shown_url_, batch.size());
  return false;
}

bool ClickHouseStartupMetricsSink::post_once(const std::string& body) {
  {
    std::lock_guard lock(mutex_);
    ++counters_.inserts_sent;
  }
  try {
    const auto response = http_post(url_, body, request_timeout);
    if (response.status == 200) {
      return true;
    }
    spdlog::warn("clickhouse store at {}: insert answered HTTP {}: {}", shown_url_, response.status,
                 response.body.substr(0, 300));
  } catch (const std::exception& error) {
    spdlog::warn("clickhouse store at {}: insert failed: {}", shown_url_, without_passwords_of(url_, error.what()));
  }
  return false;
}

}  // namespace cast::reference
