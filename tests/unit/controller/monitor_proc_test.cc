#include <doctest/doctest.h>

#include "controller/monitor/proc_text.h"

using namespace cast::controller;  // the code under test

using namespace cast::controller;

TEST_CASE("monitor: /proc/stat cpu line sums busy and total ticks, guest time not twice") {
  // user nice system idle iowait irq softirq steal guest guest_nice
  auto times = parse_host_cpu(
      "cpu  100 20 30 400 50 6 7 8 90 10\n"
      "cpu0 50 10 15 200 25 3 3 4 45 5\n"
      "intr 12345\n");
  REQUIRE(times);
  CHECK(times->busy == 100 + 20 + 30 + 6 + 7 + 8);
  CHECK(times->total == times->busy + 400 + 50);
}

TEST_CASE("monitor: /proc/stat with only the four oldest fields still parses") {
  auto times = parse_host_cpu("cpu 1 2 3 4\n");
  REQUIRE(times);
  CHECK(times->busy == 6);
  CHECK(times->total == 10);
}

TEST_CASE("monitor: text that is not a /proc/stat cpu line is refused") {
  CHECK_FALSE(parse_host_cpu(""));
  CHECK_FALSE(parse_host_cpu("cpu0 1 2 3 4\n"));
  CHECK_FALSE(parse_host_cpu("cpu 1 2\n"));
}

TEST_CASE("monitor: host CPU percent between two readings") {
  HostCpuTimes before{100, 1000};
  CHECK(host_cpu_percent(before, HostCpuTimes{150, 1200}) == doctest::Approx(25.0));
  CHECK(host_cpu_percent(before, HostCpuTimes{300, 1200}) == doctest::Approx(100.0));
  CHECK(host_cpu_percent(before, before) == 0.0);                 // no tick passed
  CHECK(host_cpu_percent(before, HostCpuTimes{90, 900}) == 0.0);  // counters went back: no nonsense
}

TEST_CASE("monitor: /proc/<pid>/stat fields are counted from the last parenthesis") {
  // comm with spaces and parentheses; tpgid -1 and a negative priority before starttime.
  const char* line =
      "4242 (my (odd) proc) R 17 4242 4242 0 -1 4194560 300 0 0 0 "
      "1234 567 0 0 -20 0 3 0 987654 12345678 2048 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
  auto stat = parse_process_stat(line);
  REQUIRE(stat);
  CHECK(stat->pid == 4242);
  CHECK(stat->ppid == 17);
  CHECK(stat->cpu_ticks == 1234 + 567);
  CHECK(stat->start_ticks == 987654);
}

TEST_CASE("monitor: a truncated /proc/<pid>/stat is refused, not misread") {
  CHECK_FALSE(parse_process_stat(""));
  CHECK_FALSE(parse_process_stat("12 (sh) S 1 12 12 0 -1 4194560 300 0 0 0 5"));
  CHECK_FALSE(parse_process_stat("12 (sh"));
}

TEST_CASE("monitor: statm's second field is the resident page count") {
  auto pages = parse_statm_resident_pages("5000 1234 300 10 0 600 0\n");
  REQUIRE(pages);
  CHECK(*pages == 1234);
  CHECK_FALSE(parse_statm_resident_pages("5000"));
  CHECK_FALSE(parse_statm_resident_pages(""));
}
