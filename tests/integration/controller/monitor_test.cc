// ResourceMonitor and its samplers against real processes: a busy shell
// loop read from /proc, and the reference backend's /metrics over HTTP.
#include <doctest/doctest.h>

#include "tests/support/eventually.h"

#include <thread>

#include "common/process/child_process.h"
#include "common/process/loopback_port.h"
#include "controller/monitor/metrics_scraper.h"
#include "controller/monitor/process_sampler.h"
#include "controller/monitor/resource_monitor.h"
#include "tests/support/reference_platform.h"

using namespace cast::controller;  // the code under test

using namespace std::chrono_literals;
using namespace cast::controller;

namespace {

constexpr auto patience = 60s;  // generous: the machine is shared

// A CPU-bound child, bounded by the test (terminate() at scope end) and by
// PR_SET_PDEATHSIG should the test die.
cast::ProcessSpec busy_loop() { return {.program = "/bin/sh", .args = {"-c", "while :; do :; done"}}; }

template <typename Predicate>
bool eventually(Predicate predicate) {
  return cast::test::eventually(predicate, patience, 50ms);
}

}  // namespace

TEST_CASE("monitor: ResourceMonitor sees a busy local process's CPU and memory") {
  cast::ChildProcess busy(busy_loop());
  ResourceMonitor monitor({.interval = 200ms, .platform_pids = {busy.pid()}});
  monitor.start();
  REQUIRE(eventually([&] { return monitor.ticks() >= 10; }));
  monitor.stop();
  auto ticks = monitor.ticks();
  std::this_thread::sleep_for(300ms);
  CHECK(monitor.ticks() == ticks);  // stop() really stopped the thread

  auto peaks = monitor.peaks();
  auto samples = monitor.samples();
  MESSAGE("peak platform CPU " << peaks.platform_cpu_percent << " %, host CPU " << peaks.host_cpu_percent << " %, RSS "
                               << peaks.platform_rss_mb << " MB");
  // A spinning shell got 30-40 % of a core on this 2-core host under a full
  // build; an idle one shows ~0. 5 % leaves room for a heavier load.
  CHECK(peaks.platform_cpu_percent > 5);
  CHECK(peaks.host_cpu_percent > 0);
  CHECK(peaks.platform_rss_mb > 0);
  REQUIRE(samples.size() == ticks);
  for (std::size_t i = 1; i < samples.size(); ++i) {
    CHECK(samples[i].t_s > samples[i - 1].t_s);
    CHECK(samples[i].platform_rss_mb > 0);
  }
  CHECK(monitor.last_error().empty());
  busy.terminate(1s);
}

TEST_CASE("monitor: descendants count only when asked, and a vanished pid is skipped") {
  cast::ChildProcess parent({.program = "/bin/sh", .args = {"-c", "sh -c 'while :; do :; done' & wait"}});
  constexpr pid_t never_a_pid = 2'147'483'000;  // above any pid_max
  ProcessSampler alone({parent.pid(), never_a_pid}, false);
  ProcessSampler family({parent.pid(), never_a_pid}, true);
  // The busy grandchild must exist before the baseline, or it would count whole.
  REQUIRE(eventually([&] { return family.sample().processes == 2; }));
  alone.sample();
  std::this_thread::sleep_for(1500ms);
  auto only_parent = alone.sample();
  auto with_children = family.sample();
  MESSAGE("parent alone " << *only_parent.cpu_percent << " %, with children " << *with_children.cpu_percent << " %");
  CHECK(only_parent.processes == 1);
  CHECK(with_children.processes == 2);
  CHECK(with_children.rss_bytes > only_parent.rss_bytes);
  REQUIRE(only_parent.cpu_percent);
  REQUIRE(with_children.cpu_percent);
  CHECK(*with_children.cpu_percent > 5);
  CHECK(*only_parent.cpu_percent < *with_children.cpu_percent);
  parent.terminate(1s);
}

TEST_CASE("monitor: the reference backend's /metrics gives memory, then CPU from two scrapes") {
  cast::test::ReferencePlatform platform;
  MetricsScraper scraper(platform.backend_url() + "/");
  auto first = scraper.sample();
  REQUIRE_MESSAGE(first, scraper.last_error());
  REQUIRE(first->rss_bytes);
  CHECK(*first->rss_bytes > 1'000'000);
  CHECK_FALSE(first->cpu_percent);  // a rate needs two readings
  std::this_thread::sleep_for(300ms);
  auto second = scraper.sample();
  REQUIRE_MESSAGE(second, scraper.last_error());
  REQUIRE(second->cpu_percent);
  CHECK(*second->cpu_percent >= 0);

  ResourceMonitor monitor({.interval = 100ms, .backend_url = platform.backend_url()});
  monitor.start();
  REQUIRE(eventually([&] { return monitor.ticks() >= 3; }));
  monitor.stop();
  CHECK(monitor.peaks().platform_rss_mb > 1);
  CHECK(monitor.last_error().empty());
}

TEST_CASE("monitor: an unreachable /metrics is a gap with a reason naming the URL, not an exception") {
  std::string backend = "http://127.0.0.1:" + std::to_string(cast::free_loopback_port());
  MetricsScraper scraper(backend, 2s);
  CHECK_FALSE(scraper.sample());
  CHECK(scraper.last_error().find(backend + "/metrics") != std::string::npos);

  ResourceMonitor monitor({.interval = 50ms, .backend_url = backend});
  monitor.start();
  REQUIRE(eventually([&] { return monitor.ticks() >= 2; }));
  monitor.stop();
  CHECK(monitor.last_error().find(backend) != std::string::npos);
  CHECK(monitor.peaks().platform_rss_mb == 0);
}

TEST_CASE("monitor: a long run keeps a bounded, evenly thinned series spanning all of it") {
  ResourceMonitor monitor({.interval = 10ms, .max_samples = 8});
  monitor.start();
  REQUIRE(eventually([&] { return monitor.ticks() >= 40; }));
  monitor.stop();
  auto samples = monitor.samples();
  auto ticks = monitor.ticks();
  // Thinned at least twice, and what is left are ticks 0, s, 2s, ... for a
  // power-of-two stride s: exactly (ticks - 1) / s + 1 of them, under the cap.
  std::size_t stride = 1;
  while ((ticks - 1) / stride + 1 >= 8) {
    stride *= 2;
  }
  CHECK(stride >= 4);
  CHECK(samples.size() == (ticks - 1) / stride + 1);
  for (std::size_t i = 1; i < samples.size(); ++i) {
    CHECK(samples[i].t_s > samples[i - 1].t_s);
  }
}
