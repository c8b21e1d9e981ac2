#include "worker/process/self_usage.h"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>

namespace cast::worker {
namespace {

std::chrono::microseconds cpu_used() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto us = [](const timeval& t) { return std::chrono::seconds{t.tv_sec} + std::chrono::microseconds{t.tv_usec}; };
  return us(usage.ru_utime) + us(usage.ru_stime);
}

}  // namespace

SelfUsage::SelfUsage() : last_wall_(std::chrono::steady_clock::now()), last_cpu_(cpu_used()) {}

double SelfUsage::cpu_percent_since_last() {
  auto wall = std::chrono::steady_clock::now();
  auto cpu = cpu_used();
  auto wall_us = std::chrono::duration_cast<std::chrono::microseconds>(wall - last_wall_).count();
  double percent =
      wall_us > 0 ? 100.0 * static_cast<double>((cpu - last_cpu_).count()) / static_cast<double>(wall_us) : 0;
  last_wall_ = wall;
  last_cpu_ = cpu;
  return percent;
}

std::uint64_t SelfUsage::rss_bytes() {
  std::ifstream statm{"/proc/self/statm"};
  std::uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace cast::worker
