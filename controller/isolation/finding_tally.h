#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "controller/analysis/verdict.h"

namespace cast::controller {

// Folds repeated evidence into one finding per key, so a misrouting storm
// reports each (kind, observer, owner, channel, message type) once with a
// count rather than a million rows. The first occurrence's finding (and
// excerpt) is kept. Past `max_distinct` keys, new ones are only counted.
class FindingTally {
 public:
  explicit FindingTally(std::size_t max_distinct) : max_distinct_(max_distinct) {}

  // Counts one payload for `key` (which should start with `kind`) against
  // `test_case`; calls `make` only for a key not seen yet.
  void add(FindingKind kind, TestCaseId test_case, const std::string& key, const std::function<Finding()>& make);

  // Findings in first-seen order; `where` ends with "(in N payloads)" when
  // N > 1.
  std::vector<Finding> findings() const;
  // Says how much the cap left out, if anything.
  std::vector<std::string> notes() const;

  std::size_t distinct() const { return entries_.size(); }
  // Payloads with evidence for `test_case` that the cap left out: the judge
  // must not read the listed findings as all there were.
  std::size_t payloads_past_cap(TestCaseId test_case) const;
  std::size_t max_distinct() const { return max_distinct_; }

 private:
  struct Entry {
    Finding finding;
    std::size_t count{0};
  };

  std::size_t max_distinct_;
  std::vector<Entry> entries_;
  std::unordered_map<std::string, std::size_t> by_key_;  // key -> entries_ index
  // Payloads of keys past the cap, by kind; not the keys themselves, which
  // a storm would make unbounded.
  std::unordered_map<FindingKind, std::size_t> dropped_by_kind_;
  std::unordered_map<TestCaseId, std::size_t> dropped_by_case_;
};

}  // namespace cast::controller
