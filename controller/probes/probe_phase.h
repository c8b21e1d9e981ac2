#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "controller/probes/probe_plan.h"

namespace cast::controller {

class Coordinator;

struct ProbeOutcome {
  bool completed{false};                  // every worker answered every round it was sent
  std::vector<std::string> workers_lost;  // sent a round, never answered it (gone or too slow)
  std::vector<std::string> notes;         // for the run record, one line each
};

// Runs the probe phase over the control streams, after wait_for_finish:
// sends every worker its round 1 (attacks), waits until all answered with
// ProbeDone, then round 2 (the victims' read-backs), and waits again.
// `timeout` covers both rounds. The results arrive as PROBE_RESULT events
// through the coordinator's EventSink, like every other event: collect
// them there (probe_result_of) and hand them to judge_probes. This does
// not Release the workers; the run session does, once the run is over.
ProbeOutcome run_probe_phase(controller::Coordinator& coordinator, const ProbePlanSet& plans,
                             std::chrono::milliseconds timeout);

}  // namespace cast::controller
