#include "worker/session/cancel_chaos.h"

namespace cast::worker {
namespace {

// FNV-1a then splitmix64: fixed arithmetic rather than a std:: engine and
// distribution, whose output may differ between standard libraries, so a
// controller and its workers always agree on the chosen users.
std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    hash = (hash ^ c) * 0x100000001b3ULL;
  }
  return hash;
}

std::uint64_t splitmix64(std::uint64_t state) {
  state += 0x9e3779b97f4a7c15ULL;
  state = (state ^ (state >> 30)) * 0xbf58476d1ce4e5b9ULL;
  state = (state ^ (state >> 27)) * 0x94d049bb133111ebULL;
  return state ^ (state >> 31);
}

}  // namespace

double cancel_draw(std::string_view run_id, std::uint32_t user_index) {
  auto seed = fnv1a(run_id) ^ splitmix64(user_index);
  // The top 53 bits fill a double's mantissa exactly.
  return static_cast<double>(splitmix64(seed) >> 11) * 0x1.0p-53;
}

bool chosen_to_cancel(std::string_view run_id, std::uint32_t user_index, double rate) {
  return rate > 0 && cancel_draw(run_id, user_index) < rate;
}

}  // namespace cast::worker
