#include "controller/monitor/process_sampler.h"

#include <time.h>
#include <unistd.h>
#include <cctype>
#include <filesystem>
#include <set>

#include "controller/monitor/proc_file.h"
#include "controller/monitor/proc_text.h"

namespace cast::controller {
namespace {

const double kTicksPerSecond = static_cast<double>(::sysconf(_SC_CLK_TCK));
const std::uint64_t kPageBytes = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));

// The boot clock in clock ticks, the unit and origin of a process's starttime.
std::uint64_t boot_ticks_now() {
  timespec now{};
  ::clock_gettime(CLOCK_BOOTTIME, &now);
  double seconds = static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
  return static_cast<std::uint64_t>(seconds * kTicksPerSecond);
}

std::optional<ProcessStat> read_stat(int pid) {
  auto text = read_proc_file("/proc/" + std::to_string(pid) + "/stat");
  return text ? parse_process_stat(*text) : std::nullopt;
}

bool all_digits(const std::string& name) {
  if (name.empty()) {
    return false;
  }
  for (char c : name) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

// ppid -> children, from one walk over /proc.
std::multimap<int, int> children_by_parent() {
  std::multimap<int, int> children;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename().string();
    if (!all_digits(name)) {
      continue;
    }
    if (auto stat = read_stat(std::stoi(name))) {
      children.emplace(stat->ppid, stat->pid);
    }
  }
  return children;
}

}  // namespace

ProcessSampler::ProcessSampler(std::vector<pid_t> pids, bool include_children)
    : roots_(std::move(pids)), include_children_(include_children) {}

std::vector<pid_t> ProcessSampler::members() const {
  if (!include_children_) {
    return roots_;
  }
  auto children = children_by_parent();
  std::set<pid_t> seen(roots_.begin(), roots_.end());
  std::vector<pid_t> queue(seen.begin(), seen.end());
  for (std::size_t i = 0; i < queue.size(); ++i) {
    auto [first, last] = children.equal_range(queue[i]);
    for (auto it = first; it != last; ++it) {
      if (seen.insert(it->second).second) {
        queue.push_back(it->second);
      }
    }
  }
  return queue;
}

ProcessUsage ProcessSampler::sample() {
  auto now = std::chrono::steady_clock::now();
  std::uint64_t boot_now = boot_ticks_now();
  ProcessUsage usage;
  std::map<std::pair<int, std::uint64_t>, std::uint64_t> ticks;
  std::uint64_t grown = 0;
  for (pid_t pid : members()) {
    auto stat = read_stat(pid);
    auto statm = read_proc_file("/proc/" + std::to_string(pid) + "/statm");
    auto pages = statm ? parse_statm_resident_pages(*statm) : std::nullopt;
    if (!stat || !pages) {
      continue;  // gone between listing and reading
    }
    usage.rss_bytes += *pages * kPageBytes;
    ++usage.processes;
    auto key = std::pair{stat->pid, stat->start_ticks};
    ticks[key] = stat->cpu_ticks;
    if (auto before = last_ticks_.find(key); before != last_ticks_.end()) {
      grown += stat->cpu_ticks - std::min(stat->cpu_ticks, before->second);
    } else if (last_at_ && stat->start_ticks + 1 >= last_boot_ticks_) {
      grown += stat->cpu_ticks;  // born since the last sample: all its time is new
    }
  }
  if (last_at_) {
    double elapsed = std::chrono::duration<double>(now - *last_at_).count();
    usage.cpu_percent = elapsed > 0 ? 100.0 * static_cast<double>(grown) / kTicksPerSecond / elapsed : 0.0;
  }
  last_ticks_ = std::move(ticks);
  last_at_ = now;
  last_boot_ticks_ = boot_now;
  return usage;
}

}  // namespace cast::controller
