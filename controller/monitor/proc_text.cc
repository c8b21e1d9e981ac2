#include "controller/monitor/proc_text.h"

#include <algorithm>
#include <charconv>
#include <vector>

namespace cast::controller {
namespace {

// Whitespace-separated integer fields up to the end of the line; stops at the
// first that is not a number. Signed, because /proc/<pid>/stat has -1s
// (tpgid) and negative priorities before the fields we want.
std::vector<std::int64_t> numbers(std::string_view text) {
  std::vector<std::int64_t> out;
  std::size_t at = 0;
  while (at < text.size()) {
    at = text.find_first_not_of(" \t", at);
    if (at == std::string_view::npos || text[at] == '\n') {
      break;
    }
    std::int64_t value = 0;
    auto [end, error] = std::from_chars(text.data() + at, text.data() + text.size(), value);
    if (error != std::errc{}) {
      break;
    }
    out.push_back(value);
    at = static_cast<std::size_t>(end - text.data());
  }
  return out;
}

std::optional<int> leading_int(std::string_view text) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{}) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::optional<HostCpuTimes> parse_host_cpu(std::string_view proc_stat) {
  if (!proc_stat.starts_with("cpu ")) {
    return std::nullopt;
  }
  // user nice system idle iowait irq softirq steal [guest guest_nice]; guest
  // time is already inside user, so it is not added again.
  auto f = numbers(proc_stat.substr(4));
  if (f.size() < 4) {
    return std::nullopt;
  }
  f.resize(std::max<std::size_t>(f.size(), 8), 0);
  HostCpuTimes times;
  times.busy = static_cast<std::uint64_t>(f[0] + f[1] + f[2] + f[5] + f[6] + f[7]);
  times.total = times.busy + static_cast<std::uint64_t>(f[3] + f[4]);
  return times;
}

std::optional<ProcessStat> parse_process_stat(std::string_view stat_line) {
  // comm may hold spaces and parentheses ("(sh) (x)"), so fields are
  // counted from the last ')' on.
  auto close = stat_line.rfind(')');
  auto pid = leading_int(stat_line);
  if (close == std::string_view::npos || !pid || close + 2 >= stat_line.size()) {
    return std::nullopt;
  }
  std::string_view rest = stat_line.substr(close + 2);  // "S ppid pgrp ..."
  auto f = numbers(rest.substr(1));                     // the state is one character
  // After the state: ppid(4) pgrp session tty_nr tpgid flags minflt cminflt
  // majflt cmajflt utime(14) stime(15) cutime cstime priority nice
  // num_threads itrealvalue starttime(22); f[0] is field 4.
  if (f.size() < 19) {
    return std::nullopt;
  }
  return ProcessStat{*pid, static_cast<int>(f[0]), static_cast<std::uint64_t>(f[10] + f[11]),
                     static_cast<std::uint64_t>(f[18])};
}

std::optional<std::uint64_t> parse_statm_resident_pages(std::string_view statm) {
  auto f = numbers(statm);
  if (f.size() < 2) {
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(f[1]);
}

double host_cpu_percent(const HostCpuTimes& before, const HostCpuTimes& after) {
  if (after.total <= before.total || after.busy < before.busy) {
    return 0;
  }
  double busy = static_cast<double>(after.busy - before.busy);
  return 100.0 * busy / static_cast<double>(after.total - before.total);
}

}  // namespace cast::controller
