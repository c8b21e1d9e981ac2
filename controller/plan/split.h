#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace cast::controller {

// Users dealt to workers: shares[w] lists the user indices worker w runs,
// ascending.
using WorkerShares = std::vector<std::vector<std::size_t>>;

// How many users each worker gets: `users` apportioned by largest remainder
// in proportion to `capacities` (a weight, in users). Ties in the remainder
// go to the lower worker index, so the result depends only on the input.
// A zero-capacity worker gets none. Throws std::invalid_argument when users
// > 0 and the capacities add up to 0 (or overflow).
std::vector<std::size_t> apportion_users(std::size_t users, std::span<const std::size_t> capacities);

// Every user index in [0, users) on exactly one worker, worker w getting
// apportion_users(...)[w] of them. Users are interleaved (smooth weighted
// round robin) rather than dealt in blocks, so the consecutive users of one
// tenant land on different workers and a leak between them crosses a
// process boundary.
WorkerShares split_users(std::size_t users, std::span<const std::size_t> capacities);

}  // namespace cast::controller
