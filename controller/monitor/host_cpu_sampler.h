#pragma once

#include <optional>

#include "controller/monitor/proc_text.h"

namespace cast::controller {

// Busy share of the whole host (all cores together, 0..100 %) from the
// growth of /proc/stat's "cpu" line between calls.
class HostCpuSampler {
 public:
  // Since the previous call; none on the first call or when /proc/stat
  // cannot be read.
  std::optional<double> sample();

 private:
  std::optional<HostCpuTimes> last_;
};

}  // namespace cast::controller
