#include <doctest/doctest.h>

#include "cast_control.pb.h"
#include "controller/probes/forgery_coverage.h"

using namespace cast::controller;  // the code under test

namespace cast {
namespace {

ProbeResult forged(v1::ForgeryKind kind, bool full) {
  ProbeResult r;
  r.kind = ProbeKind::rest_forged;
  r.http_status = 401;
  r.forgery = kind;
  r.forgery_full_strength = full;
  return r;
}

const ForgeryCoverage& entry(const std::vector<ForgeryCoverage>& all, const std::string& kind) {
  for (const auto& e : all) {
    if (e.kind == kind) return e;
  }
  throw std::runtime_error("no coverage entry " + kind);
}

}  // namespace

TEST_CASE("forgery coverage: one entry per forgery kind, full when any probe of it was full strength") {
  auto all = forgery_coverage(
      {forged(v1::FORGERY_EXPIRED, true), forged(v1::FORGERY_EXPIRED, true), forged(v1::FORGERY_ALG_NONE, true)}, true);
  CHECK(all.size() == static_cast<std::size_t>(v1::ForgeryKind_MAX));
  CHECK(entry(all, "expired").strength == ForgeryCoverage::Strength::full);
  CHECK(entry(all, "expired").probes == 2);
  CHECK(entry(all, "alg_none").strength == ForgeryCoverage::Strength::full);
  CHECK(entry(all, "victim_sub").strength == ForgeryCoverage::Strength::not_run);
  CHECK(entry(all, "victim_sub").note.find("another tenant") != std::string::npos);
  CHECK(entry(all, "expired_issued").note.find("not needed") != std::string::npos);
}

TEST_CASE("forgery coverage without the secret: random-key forgeries are signature only, identity ones not run") {
  ProbeResult no_short_token;
  no_short_token.kind = ProbeKind::token;
  no_short_token.forgery = v1::FORGERY_EXPIRED_ISSUED;
  no_short_token.error_kind = "short_ttl_unavailable";
  no_short_token.error_message = "u-000001: auth granted a token valid for 900 s though ttl_s=1 was asked";
  auto all = forgery_coverage({forged(v1::FORGERY_EXPIRED, false), no_short_token}, false);
  CHECK(entry(all, "expired").strength == ForgeryCoverage::Strength::signature_only);
  CHECK(entry(all, "expired").note.find("random key") != std::string::npos);
  CHECK(entry(all, "other_run").strength == ForgeryCoverage::Strength::not_run);
  CHECK(entry(all, "other_run").note.find("secret") != std::string::npos);
  CHECK(entry(all, "expired_issued").strength == ForgeryCoverage::Strength::not_run);
  CHECK(entry(all, "expired_issued").note.find("900 s") != std::string::npos);
}

}  // namespace cast
