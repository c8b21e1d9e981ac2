// Test case 3: startup latency percentiles from every user's exact sample,
// success rate, total time, and what the platform and host spent doing it.

#include <algorithm>
#include <chrono>

#include "common/stats/latency_samples.h"
#include "controller/analysis/case_judges.h"

namespace cast::controller {
namespace {

LatencySamples startup_samples(const RunRecord& record) {
  LatencySamples samples;
  samples.reserve(record.users.size());
  for (const UserOutcome& user : record.users) {
    if (user.start_us) {
      samples.add(std::chrono::microseconds{*user.start_us});
    }
  }
  return samples;
}

Criterion startup_percentile(const LatencySamples& samples, const char* name, double p, double limit_s) {
  std::string threshold = "< " + fixed(limit_s) + " s";
  auto value = samples.percentile(p);
  if (!value) {
    return make_criterion(name, threshold, "no agent started", 0, false);
  }
  double seconds = static_cast<double>(value->count()) / 1e6;
  return make_criterion(name, threshold, fixed(seconds, 3) + " s of " + std::to_string(samples.count()), seconds,
                        seconds < limit_s);
}

// Users cancelled on purpose (--cancel-rate) were never meant to finish:
// the rate is over the users that stayed.
Criterion success_rate(const JudgeInput& input) {
  std::size_t done = 0, cancelled = 0, lost = 0;
  for (const UserOutcome& user : input.record.users) {
    done += user.done ? 1 : 0;
    cancelled += user.cancelled ? 1 : 0;
    lost += user.lost ? 1 : 0;
  }
  std::size_t planned = input.planned_users();
  std::size_t stayed = planned > cancelled ? planned - cancelled : 0;
  double rate = stayed > 0 ? static_cast<double>(done) / static_cast<double>(stayed) : 0.0;
  std::string observed = fixed(rate * 100, 1) + " % (" + ratio(done, stayed);
  if (cancelled > 0) {
    observed += ", " + std::to_string(cancelled) + " cancelled on purpose";
  }
  if (lost > 0) {
    observed += ", " + std::to_string(lost) + " lost with their worker, counted as failed";
  }
  return make_criterion("success_rate", ">= " + fixed(input.config.min_success_rate * 100, 1) + " %", observed + ")",
                        rate, stayed > 0 && rate >= input.config.min_success_rate);
}

Criterion total_time(const JudgeInput& input) {
  double limit = input.config.max_total_test_time_s;
  double took = input.record.duration_s;
  return make_criterion("total_time_s", "<= " + fixed(limit, 1) + " s", fixed(took, 2) + " s", took, took <= limit);
}

// Peak of one resource over the samples; a resource nobody measured (no
// samples, or only zeros) is reported as such rather than failed.
Criterion resource_peak(const JudgeInput& input, const char* name, double ResourceSample::*field, double limit,
                        const char* unit) {
  double peak = 0;
  for (const ResourceSample& sample : input.record.resources) {
    peak = std::max(peak, sample.*field);
  }
  std::string threshold = "< " + fixed(limit, 0) + " " + unit;
  if (peak <= 0) {
    auto criterion = make_criterion(name, threshold, "not measured", 0, true);
    criterion.measured = false;
    return criterion;
  }
  return make_criterion(name, threshold, fixed(peak, 1) + " " + unit + " peak", peak, peak < limit);
}

// The platform's CPU as a share of all of this host's cores, at its peak;
// not measured when the platform runs elsewhere.
Criterion platform_host_cpu(const JudgeInput& input, double limit) {
  const RunRecord& record = input.record;
  double peak = 0;
  for (const ResourceSample& sample : record.resources) peak = std::max(peak, sample.platform_cpu_percent);
  std::string threshold = "< " + fixed(limit, 0) + " %";
  if (!record.platform_local || record.host_cores == 0 || peak <= 0) {
    auto criterion = make_criterion("host_cpu_percent", threshold, "not measured", 0, true);
    criterion.measured = false;
    return criterion;
  }
  double share = peak / record.host_cores;
  return make_criterion("host_cpu_percent", threshold,
                        fixed(share, 1) + " % peak (platform, of " + std::to_string(record.host_cores) + " cores)",
                        share, share < limit);
}

}  // namespace

TestCaseResult judge_performance(const JudgeInput& input) {
  TestCaseResult result;
  result.id = TestCaseId::performance;
  result.title = title_of(result.id);
  const RunConfig& config = input.config;
  LatencySamples samples = startup_samples(input.record);
  result.criteria.push_back(startup_percentile(samples, "startup_p95_s", 95, config.p95_limit_s));
  result.criteria.push_back(startup_percentile(samples, "startup_p99_s", 99, config.p99_limit_s));
  result.criteria.push_back(success_rate(input));
  result.criteria.push_back(total_time(input));
  result.criteria.push_back(resource_peak(input, "platform_memory_mb", &ResourceSample::platform_rss_mb,
                                          config.platform_memory_limit_mb, "MB"));
  result.criteria.push_back(platform_host_cpu(input, config.host_cpu_limit_percent));
  return result;
}

}  // namespace cast::controller
