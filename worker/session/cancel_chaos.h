#pragma once

#include <cstdint>
#include <string_view>

namespace cast::worker {

// Which users drop their connection mid-request (`--cancel-rate`). The draw
// is a pure function of the run id and the user's index, so every worker,
// a re-run with the same run id and a test all pick the same users without
// any coordination.

// A uniform draw in [0, 1) for this user of this run.
double cancel_draw(std::string_view run_id, std::uint32_t user_index);

// True for about `rate` (0..1) of a run's users: rate 0 picks none, 1 all.
bool chosen_to_cancel(std::string_view run_id, std::uint32_t user_index, double rate);

}  // namespace cast::worker
