#pragma once

// Inside controller/isolation only: one payload's scan, with buffers reused
// from payload to payload.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/identity/canary.h"
#include "controller/analysis/run_record.h"
#include "controller/isolation/contamination_detector.h"
#include "controller/isolation/finding_tally.h"
#include "controller/isolation/identifying_values.h"
#include "controller/isolation/payload_forms.h"
#include "controller/plan/population.h"
#include "controller/plan/population_index.h"

namespace cast::controller {

struct ScanContext {
  const std::vector<PlannedUser>& planned;
  const CanaryAuthority& canaries;
  const PopulationIndex& index;
  const IdentifyingValues& values;
  const DetectorOptions& options;
};

struct ScanCounters {
  std::uint64_t payloads{0};
  std::uint64_t bytes{0};
  std::uint64_t wrong_run_canaries{0};  // well-formed canaries of another run
  std::uint64_t cut_canaries{0};        // cut off by the capture cap, so unattributable
  std::string first_wrong_run;          // an example for the note
};

class ObservationScanner {
 public:
  ObservationScanner(ScanContext context, FindingTally& tally, ScanCounters& counters)
      : context_(context), tally_(tally), counters_(counters) {}

  void scan(const Observation& seen);

 private:
  struct Hit {
    FindingKind kind;
    TestCaseId test_case;
    std::string owner;    // user id, or what the evidence claims when it names nobody we planned
    std::size_t form{0};  // 0 = the raw payload, i = forms_[i - 1]
    std::size_t offset{0};
    std::size_t length{0};
  };
  struct FrameFacts {
    std::string type;
    std::string user_id;
  };

  void scan_form(const Observation& seen, std::size_t form);
  void scan_values(const Observation& seen, std::string_view text, std::size_t form);
  void scan_canaries(const Observation& seen, std::string_view text, std::size_t form);
  CanaryCheck verify(std::string_view candidate);
  void check_identity_echo(const Observation& seen);
  bool cut_by_us(const Observation& seen, std::string_view text, std::size_t form,
                 const CanaryCandidate& candidate) const;
  void note_strong_owners();
  bool outweighed(const Hit& hit) const;
  void record_hits(const Observation& seen);
  Finding make_finding(const Observation& seen, const Hit& hit);

  std::string_view form_text(const Observation& seen, std::size_t form) const;
  const FrameFacts& facts(const Observation& seen);
  std::string user_name(std::size_t index) const;

  ScanContext context_;
  FindingTally& tally_;
  ScanCounters& counters_;
  // Reused from payload to payload.
  std::vector<DecodedForm> forms_;
  std::vector<MultiPatternMatcher::Match> raw_matches_;
  std::vector<ValueMatch> matches_;
  std::vector<Hit> hits_;
  std::unordered_set<std::string> keys_;
  std::unordered_set<std::string> strong_owners_;  // owners with evidence stronger than a user id
  std::optional<FrameFacts> facts_;
  // Canary verdicts by text, for the whole scan; transparent lookup by view.
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  static constexpr std::size_t kMaxRememberedCanaries = 1 << 20;  // entries; bounds memory on hostile input
  std::unordered_map<std::string, CanaryCheck, TextHash, std::equal_to<>> verdicts_;
};

}  // namespace cast::controller
