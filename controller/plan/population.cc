#include "controller/plan/population.h"

#include <algorithm>
#include <ctime>
#include <stdexcept>

#include "common/crypto/hmac.h"
#include "common/identity/canary.h"

namespace cast::controller {
namespace {

constexpr std::size_t kMaxRunIdLength = 64;
constexpr std::size_t kMinUserDigits = 6;
constexpr std::size_t kMinTenantDigits = 4;

std::size_t decimal_digits(std::size_t n) {
  std::size_t digits = 1;
  while (n >= 10) {
    n /= 10;
    ++digits;
  }
  return digits;
}

// Width that fits every id of the run, so all of them have the same length.
std::size_t id_width(std::size_t count, std::size_t minimum) {
  return std::max(minimum, decimal_digits(count == 0 ? 0 : count - 1));
}

std::string padded(std::size_t n, std::size_t width) {
  std::string digits = std::to_string(n);
  return std::string(width - std::min(width, digits.size()), '0') + digits;
}

void check_spec(const PopulationSpec& spec) {
  if (!is_safe_run_id(spec.run_id)) {
    throw std::invalid_argument("population: run id '" + spec.run_id + "' is not 1-64 characters of [a-z0-9-]");
  }
  if (spec.run_key.empty()) {
    throw std::invalid_argument("population for run " + spec.run_id + ": empty run key");
  }
  if (spec.users_per_tenant == 0) {
    throw std::invalid_argument("population for run " + spec.run_id + ": users_per_tenant must be at least 1");
  }
}

}  // namespace

bool is_safe_run_id(std::string_view run_id) {
  if (run_id.empty() || run_id.size() > kMaxRunIdLength) {
    return false;
  }
  for (char c : run_id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::string make_run_id(std::chrono::system_clock::time_point now) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &utc);
  constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string suffix;
  // 256 % 36 != 0, so the suffix is very slightly biased; it only has to
  // keep two runs started in the same second apart.
  for (unsigned char byte : random_bytes(6)) {
    suffix += alphabet[byte % alphabet.size()];
  }
  return std::string("run-") + stamp + "-" + suffix;
}

std::string make_run_key() { return random_bytes(32); }

std::vector<PlannedUser> plan_population(const PopulationSpec& spec) {
  check_spec(spec);
  CanaryAuthority canaries(spec.run_id, spec.run_key);
  std::string run8 = canaries.run8();
  std::size_t tenants = (spec.users + spec.users_per_tenant - 1) / spec.users_per_tenant;
  std::size_t user_width = id_width(spec.users, kMinUserDigits);
  std::size_t tenant_width = id_width(tenants, kMinTenantDigits);

  std::vector<PlannedUser> users(spec.users);
  for (std::size_t i = 0; i < spec.users; ++i) {
    PlannedUser& user = users[i];
    std::string number = padded(i, user_width);
    user.index = i;
    user.user_id = "u-" + number;
    user.tenant_id = "t-" + padded(i / spec.users_per_tenant, tenant_width);
    user.profile.email = user.user_id + "@" + run8 + "." + spec.email_domain;
    user.profile.display_name = "Cast User " + number + " (" + run8 + ")";
    user.canary = canaries.mint(i);
    user.request_id_prefix = user.user_id + "-r";
  }
  return users;
}

}  // namespace cast::controller
