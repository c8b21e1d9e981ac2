#include "controller/monitor/host_cpu_sampler.h"

#include "controller/monitor/proc_file.h"

namespace cast::controller {

std::optional<double> HostCpuSampler::sample() {
  auto text = read_proc_file("/proc/stat");
  auto now = text ? parse_host_cpu(*text) : std::nullopt;
  if (!now) {
    return std::nullopt;
  }
  std::optional<double> percent;
  if (last_) {
    percent = host_cpu_percent(*last_, *now);
  }
  last_ = now;
  return percent;
}

}  // namespace cast::controller
