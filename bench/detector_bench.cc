// Throughput of the contamination detector: a synthetic run of many users
// whose payloads look like the reference platform's, a small share of them
// carrying another user's data, scanned once. Prints MB/s; never fails on
// timing.

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "common/crypto/encoding.h"
#include "common/crypto/hmac.h"
#include "common/identity/canary.h"
#include "controller/isolation/contamination_detector.h"
#include "controller/plan/population.h"

using namespace cast::controller;  // the code under test

namespace {

using nlohmann::json;
using namespace cast;

struct BenchConfig {
  std::size_t users{10'000};
  double megabytes{100};             // payload bytes to generate, MB
  double contaminated_percent{0.5};  // share of payloads quoting another user, %
  double encoded_percent{5};         // share of payloads with \u escapes or base64, %
};

// Filler so that payloads have the size of real agent replies.
std::string prose(std::mt19937& rng, std::size_t bytes) {
  static const std::vector<std::string> words{"agent",  "state",    "the",    "context", "reply", "user",  "message",
                                              "stored", "platform", "tenant", "session", "quote", "digest"};
  std::uniform_int_distribution<std::size_t> pick(0, words.size() - 1);
  std::string text;
  while (text.size() < bytes) {
    text += words[pick(rng)];
    text += ' ';
  }
  return text;
}

std::string reply_payload(const PlannedUser& to, const PlannedUser& whose, const std::string& agent_id,
                          std::mt19937& rng, std::size_t seq) {
  json context{{"canary", whose.canary}, {"email", whose.profile.email}, {"name", whose.profile.display_name}};
  std::string content = "You said: \"" + prose(rng, 600) + whose.canary + "\". I remember: " + context.dump();
  return json{{"type", "agent_response"},
              {"request_id", to.request_id_prefix + std::to_string(seq)},
              {"agent_id", agent_id},
              {"content", content}}
      .dump();
}

// Hides the payload's first canary behind \u escapes or in a base64 blob.
std::string encoded(const std::string& payload, const PlannedUser& whose, bool base64) {
  if (base64) {
    return payload.substr(0, payload.size() - 1) + ",\"blob\":\"" + base64_encode(whose.canary + " " + whose.user_id) +
           "\"}";
  }
  std::string hidden = payload;
  auto at = hidden.find(whose.canary);
  hidden.replace(at, 1, "\\u0063");
  return hidden;
}

RunRecord synthetic_record(const std::vector<PlannedUser>& planned, const BenchConfig& config, std::size_t& planted) {
  std::mt19937 rng(7);
  RunRecord record;
  for (const PlannedUser& user : planned) {
    UserOutcome outcome;
    outcome.index = static_cast<std::uint32_t>(user.index);
    outcome.user_id = user.user_id;
    outcome.agent_id = "agent-" + hex_encode(random_bytes(16));
    record.users.push_back(std::move(outcome));
  }
  std::uniform_real_distribution<double> percent(0, 100);
  std::uniform_int_distribution<std::size_t> anyone(0, planned.size() - 1);
  auto budget = static_cast<std::size_t>(config.megabytes * 1e6);
  std::size_t bytes = 0;
  for (std::size_t seq = 0; bytes < budget; ++seq) {
    const PlannedUser& to = planned[seq % planned.size()];
    std::size_t whose = to.index;
    if (percent(rng) < config.contaminated_percent) {
      whose = (to.index + 1 + anyone(rng) % (planned.size() - 1)) % planned.size();
      ++planted;
    }
    Observation seen;
    seen.user_index = static_cast<std::uint32_t>(to.index);
    seen.payload = reply_payload(to, planned[whose], record.users[whose].agent_id, rng, seq);
    if (percent(rng) < config.encoded_percent) {
      seen.payload = encoded(seen.payload, planned[whose], seq % 2 == 0);
    }
    seen.request_id = to.request_id_prefix + std::to_string(seq);
    seen.offset_us = static_cast<std::int64_t>(seq);
    seen.phase = "message";
    bytes += seen.payload.size();
    record.observations.push_back(std::move(seen));
  }
  return record;
}

}  // namespace

int main(int argc, char** argv) {
  BenchConfig config;
  CLI::App app{"cast-bench-detector: contamination detector throughput on a synthetic run"};
  app.add_option("--users", config.users, "users in the synthetic run")->check(CLI::Range(2, 1'000'000));
  app.add_option("--megabytes", config.megabytes, "payload MB to generate and scan")->check(CLI::Range(0.1, 4000.0));
  app.add_option("--contaminated-percent", config.contaminated_percent, "payloads quoting another user, %");
  app.add_option("--encoded-percent", config.encoded_percent, "payloads with \\u escapes or base64, %");
  CLI11_PARSE(app, argc, argv);

  PopulationSpec spec{.run_id = "run-20260101-120000-bench1", .run_key = make_run_key(), .users = config.users};
  auto planned = plan_population(spec);
  std::size_t planted = 0;
  RunRecord record = synthetic_record(planned, config, planted);
  record.run_id = spec.run_id;
  CanaryAuthority canaries(spec.run_id, spec.run_key);

  auto started = std::chrono::steady_clock::now();
  DetectorOptions options;
  options.max_findings = 1'000'000;  // every planted leak listed, so the count can be checked
  ContaminationReport report = ContaminationDetector(options).scan_with_notes(record, planned, canaries);
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;

  double megabytes = static_cast<double>(report.bytes_scanned) / 1e6;
  std::printf("users %zu, payloads %llu, %.1f MB scanned in %.2f s: %.1f MB/s\n", config.users,
              static_cast<unsigned long long>(report.payloads_scanned), megabytes, took.count(),
              megabytes / took.count());
  std::map<std::string, std::size_t> by_kind;
  for (const Finding& finding : report.findings) {
    ++by_kind[to_string(finding.kind)];  // by name, as printed
  }
  std::printf("contaminated payloads planted %zu, distinct findings %zu:", planted, report.findings.size());
  for (const auto& [kind, count] : by_kind) {
    std::printf(" %s %zu", kind.c_str(), count);
  }
  std::printf("\n");
  for (const std::string& note : report.notes) {
    std::printf("note: %s\n", note.c_str());
  }
  return 0;
}
