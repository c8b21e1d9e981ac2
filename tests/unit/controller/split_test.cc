#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <set>
#include <stdexcept>
#include <vector>

#include "controller/plan/split.h"

using namespace cast::controller;  // the code under test

namespace {

using Capacities = std::vector<std::size_t>;

// Every user in [0, users) exactly once, each share ascending.
void check_partition(const cast::controller::WorkerShares& shares, std::size_t users) {
  std::vector<int> seen(users, 0);
  for (const auto& share : shares) {
    CHECK(std::is_sorted(share.begin(), share.end()));
    for (std::size_t user : share) {
      REQUIRE(user < users);
      ++seen[user];
    }
  }
  CHECK(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));
}

std::vector<std::size_t> sizes(const cast::controller::WorkerShares& shares) {
  std::vector<std::size_t> out;
  for (const auto& share : shares) {
    out.push_back(share.size());
  }
  return out;
}

}  // namespace

TEST_CASE("apportionment follows capacity with largest remainders") {
  CHECK(cast::controller::apportion_users(100, Capacities{1, 1}) == Capacities{50, 50});
  CHECK(cast::controller::apportion_users(100, Capacities{3, 1}) == Capacities{75, 25});
  // 10 * {1,1,1} / 3 = 3.33 each: the one leftover seat goes to the first.
  CHECK(cast::controller::apportion_users(10, Capacities{1, 1, 1}) == Capacities{4, 3, 3});
  // Quotas 2.5, 4.5, 3.0: remainders tie, the lower index wins.
  CHECK(cast::controller::apportion_users(10, Capacities{5, 9, 6}) == Capacities{3, 4, 3});
  // Quotas 1.4, 2.8, 5.8: the two largest remainders get the two seats.
  CHECK(cast::controller::apportion_users(10, Capacities{7, 14, 29}) == Capacities{1, 3, 6});
  CHECK(cast::controller::apportion_users(0, Capacities{0, 0}) == Capacities{0, 0});
  CHECK(cast::controller::apportion_users(0, Capacities{}) == Capacities{});
}

TEST_CASE("zero-capacity workers get nobody, and fewer users than workers leaves some idle") {
  CHECK(cast::controller::apportion_users(5, Capacities{0, 4, 0, 4}) == Capacities{0, 3, 0, 2});
  auto shares = cast::controller::split_users(2, Capacities{8, 8, 8, 8});
  CHECK(sizes(shares) == Capacities{1, 1, 0, 0});
  check_partition(shares, 2);
  auto only_one = cast::controller::split_users(7, Capacities{0, 0, 1});
  CHECK(sizes(only_one) == Capacities{0, 0, 7});
}

TEST_CASE("a split with no capacity at all is an error that says so") {
  CHECK_THROWS_WITH_AS(cast::controller::split_users(10, Capacities{0, 0}), doctest::Contains("total capacity of 0"),
                       std::invalid_argument);
  CHECK_THROWS_AS(cast::controller::split_users(1, Capacities{}), std::invalid_argument);
  CHECK(cast::controller::split_users(0, Capacities{}).empty());
  CHECK_THROWS_AS(cast::controller::apportion_users(1, Capacities{SIZE_MAX, 1}), std::invalid_argument);
}

TEST_CASE("users are interleaved across workers, not dealt in blocks") {
  auto shares = cast::controller::split_users(12, Capacities{1, 1, 1});
  CHECK(shares[0] == std::vector<std::size_t>{0, 3, 6, 9});
  CHECK(shares[1] == std::vector<std::size_t>{1, 4, 7, 10});
  CHECK(shares[2] == std::vector<std::size_t>{2, 5, 8, 11});

  // Weighted: the big worker gets two of every three, spread out.
  auto weighted = cast::controller::split_users(9, Capacities{2, 1});
  CHECK(weighted[0] == std::vector<std::size_t>{0, 2, 3, 5, 6, 8});
  CHECK(weighted[1] == std::vector<std::size_t>{1, 4, 7});

  // Tenants of two consecutive users each end up split across both workers.
  auto pairs = cast::controller::split_users(100, Capacities{4, 4});
  for (std::size_t tenant = 0; tenant < 50; ++tenant) {
    bool first_on_0 = std::binary_search(pairs[0].begin(), pairs[0].end(), 2 * tenant);
    bool second_on_0 = std::binary_search(pairs[0].begin(), pairs[0].end(), 2 * tenant + 1);
    CHECK(first_on_0 != second_on_0);
  }
}

TEST_CASE("every split is a partition of the users in the apportioned sizes") {
  for (const auto& capacities : {Capacities{1}, Capacities{3, 5, 0, 7}, Capacities{100, 1, 1},
                                 Capacities{2, 2, 2, 2, 2, 2, 2}, Capacities{13, 0, 29, 31, 1}}) {
    for (std::size_t users : {0, 1, 2, 5, 6, 7, 97, 200, 1000, 10000}) {
      CAPTURE(users);
      auto shares = cast::controller::split_users(users, capacities);
      REQUIRE(shares.size() == capacities.size());
      check_partition(shares, users);
      CHECK(sizes(shares) == cast::controller::apportion_users(users, capacities));
      // Largest remainder never strays a whole user from the exact quota.
      auto total = std::accumulate(capacities.begin(), capacities.end(), std::size_t{0});
      for (std::size_t w = 0; w < capacities.size(); ++w) {
        double quota = static_cast<double>(users) * static_cast<double>(capacities[w]) / static_cast<double>(total);
        CHECK(std::abs(static_cast<double>(shares[w].size()) - quota) < 1.0);
      }
    }
  }
}
