#include "controller/plan/split.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace cast::controller {
namespace {

std::size_t total_capacity(std::size_t users, std::span<const std::size_t> capacities) {
  std::size_t total = 0;
  for (std::size_t capacity : capacities) {
    if (capacity > std::numeric_limits<std::size_t>::max() - total) {
      throw std::invalid_argument("split: worker capacities overflow when added up");
    }
    total += capacity;
  }
  if (users > 0 && total == 0) {
    throw std::invalid_argument("split: cannot place " + std::to_string(users) + " users on " +
                                std::to_string(capacities.size()) + " workers with a total capacity of 0");
  }
  return total;
}

}  // namespace

std::vector<std::size_t> apportion_users(std::size_t users, std::span<const std::size_t> capacities) {
  std::size_t total = total_capacity(users, capacities);
  std::vector<std::size_t> counts(capacities.size(), 0);
  if (users == 0) {
    return counts;
  }
  // users * capacity / total, exactly: 128-bit products cannot overflow.
  std::vector<unsigned __int128> remainders(capacities.size());
  std::size_t dealt = 0;
  for (std::size_t w = 0; w < capacities.size(); ++w) {
    unsigned __int128 product = static_cast<unsigned __int128>(users) * capacities[w];
    counts[w] = static_cast<std::size_t>(product / total);
    remainders[w] = product % total;
    dealt += counts[w];
  }
  std::vector<std::size_t> order(capacities.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return remainders[a] > remainders[b]; });
  // The leftover seats are the sum of the fractional parts, each below 1, so
  // more workers have a positive remainder than there are seats left: a
  // worker with capacity 0 (remainder 0) never gets one.
  for (std::size_t k = 0; dealt < users; ++k, ++dealt) {
    ++counts[order[k]];
  }
  return counts;
}

WorkerShares split_users(std::size_t users, std::span<const std::size_t> capacities) {
  std::vector<std::size_t> counts = apportion_users(users, capacities);
  WorkerShares shares(counts.size());
  for (std::size_t w = 0; w < counts.size(); ++w) {
    shares[w].reserve(counts[w]);
  }
  // Smooth weighted round robin with the counts as weights: over one cycle
  // of `users` picks each worker is picked exactly counts[w] times, spread
  // as evenly as the weights allow.
  std::vector<long long> current(counts.size(), 0);
  for (std::size_t user = 0; user < users; ++user) {
    std::size_t best = 0;
    for (std::size_t w = 0; w < counts.size(); ++w) {
      current[w] += static_cast<long long>(counts[w]);
      if (current[w] > current[best]) {
        best = w;
      }
    }
    current[best] -= static_cast<long long>(users);
    shares[best].push_back(user);
  }
  return shares;
}

}  // namespace cast::controller
