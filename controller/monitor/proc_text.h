#pragma once

// Readers for the /proc files the resource monitor samples, split from the
// file access so that tests can feed them fixed text. Each returns nullopt
// on text it does not recognise rather than throwing: a process may vanish
// between listing and reading, and a half-read file is not an error.

#include <cstdint>
#include <optional>
#include <string_view>

namespace cast::controller {

// The first ("cpu ") line of /proc/stat, in clock ticks summed over cores.
struct HostCpuTimes {
  std::uint64_t busy{0};   // user + nice + system + irq + softirq + steal, ticks
  std::uint64_t total{0};  // busy + idle + iowait, ticks
};

// The fields of /proc/<pid>/stat the monitor needs.
struct ProcessStat {
  int pid{0};
  int ppid{0};
  std::uint64_t cpu_ticks{0};    // utime + stime, clock ticks
  std::uint64_t start_ticks{0};  // start time after boot, clock ticks; tells a reused pid apart
};

std::optional<HostCpuTimes> parse_host_cpu(std::string_view proc_stat);
std::optional<ProcessStat> parse_process_stat(std::string_view stat_line);
// Resident pages: the second field of /proc/<pid>/statm.
std::optional<std::uint64_t> parse_statm_resident_pages(std::string_view statm);

// Busy share of all cores between two readings, 0..100 %; 0 when no tick passed.
double host_cpu_percent(const HostCpuTimes& before, const HostCpuTimes& after);

}  // namespace cast::controller
