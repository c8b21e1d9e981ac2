#pragma once

// What the harness says about itself, for the reports: how much the harness
// and the wire added to each observed startup, and the workers' own
// accounts of their loops and exceptions. Figures only; the verdict on
// them is harness_invalid_reasons().

#include <cstdint>
#include <map>
#include <string>

#include "controller/analysis/run_record.h"
#include "controller/analysis/verdict.h"

namespace cast::controller {

struct HarnessFigures {
  // Per user: startup cast observed minus the startup_ms the platform put
  // in that user's agent_started; count 0 when the platform reports none.
  LatencySummaryMs added_startup_ms;
  double max_loop_lag_ms{0};                               // worst event-loop lag of any worker
  std::uint64_t harness_errors{0};                         // exceptions caught in every worker's loops
  std::map<std::string, std::uint32_t> errors_by_kind;     // summed over workers
  std::map<std::string, std::uint32_t> failures_by_phase;  // summed over workers
};

HarnessFigures harness_figures(const RunRecord& record);

}  // namespace cast::controller
