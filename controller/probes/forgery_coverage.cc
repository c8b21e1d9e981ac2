#include "controller/probes/forgery_coverage.h"

#include <algorithm>
#include <cctype>

#include "cast_control.pb.h"

namespace cast::controller {
namespace {

// The worker's word for "auth would not give a short-lived token".
constexpr std::string_view kShortTtlUnavailable = "short_ttl_unavailable";

// FORGERY_VICTIM_SUB -> victim_sub
std::string kind_name(v1::ForgeryKind kind) {
  auto name = v1::ForgeryKind_Name(kind);
  name = name.substr(std::min<std::size_t>(name.size(), 8));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  return name;
}

bool needs_secret(v1::ForgeryKind kind) {
  return kind == v1::FORGERY_VICTIM_SUB || kind == v1::FORGERY_OTHER_TENANT || kind == v1::FORGERY_OTHER_RUN;
}

bool needs_other_tenant(v1::ForgeryKind kind) {
  return kind == v1::FORGERY_VICTIM_SUB || kind == v1::FORGERY_OTHER_TENANT;
}

// Why a kind never ran, as far as the harness can tell.
std::string why_not_run(v1::ForgeryKind kind, bool secret_known, const std::string& short_ttl_problem) {
  if (kind == v1::FORGERY_EXPIRED_ISSUED) {
    if (secret_known) {
      return "not needed: expired is signed with the platform's secret";
    }
    return short_ttl_problem.empty() ? "no probe got a short-lived token" : short_ttl_problem;
  }
  if (needs_secret(kind) && !secret_known) {
    return "needs the platform's signing secret (E2E_JWT_SECRET or --jwt-secret-file)";
  }
  if (needs_other_tenant(kind)) {
    return "no attacker had a victim in another tenant";
  }
  return "no forged-token probe ran";
}

}  // namespace

std::vector<ForgeryCoverage> forgery_coverage(const std::vector<ProbeResult>& results, bool secret_known) {
  std::vector<ForgeryCoverage> coverage;
  std::string short_ttl_problem;
  for (const auto& r : results) {
    if (r.forgery == v1::FORGERY_EXPIRED_ISSUED && r.error_kind == kShortTtlUnavailable && short_ttl_problem.empty()) {
      short_ttl_problem = r.error_message;
    }
  }
  for (int value = v1::ForgeryKind_MIN + 1; value <= v1::ForgeryKind_MAX; ++value) {
    if (!v1::ForgeryKind_IsValid(value)) {
      continue;
    }
    auto kind = static_cast<v1::ForgeryKind>(value);
    ForgeryCoverage entry{kind_name(kind)};
    bool any_full = false;
    for (const auto& r : results) {
      if (r.forgery == value && r.error_kind != kShortTtlUnavailable) {
        ++entry.probes;
        any_full = any_full || r.forgery_full_strength;
      }
    }
    if (entry.probes == 0) {
      entry.note = why_not_run(kind, secret_known, short_ttl_problem);
    } else if (any_full) {
      entry.strength = ForgeryCoverage::Strength::full;
    } else {
      entry.strength = ForgeryCoverage::Strength::signature_only;
      entry.note =
          "signed with a random key: the platform's signing secret was not given, so a platform that "
          "checks signatures refuses it before looking at the claim";
    }
    coverage.push_back(std::move(entry));
  }
  return coverage;
}

}  // namespace cast::controller
