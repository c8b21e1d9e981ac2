#include "controller/isolation/finding_tally.h"

#include <map>

namespace cast::controller {

void FindingTally::add(FindingKind kind, TestCaseId test_case, const std::string& key,
                       const std::function<Finding()>& make) {
  auto known = by_key_.find(key);
  if (known != by_key_.end()) {
    ++entries_[known->second].count;
    return;
  }
  if (entries_.size() >= max_distinct_) {
    ++dropped_by_kind_[kind];
    ++dropped_by_case_[test_case];
    return;
  }
  by_key_.emplace(key, entries_.size());
  entries_.push_back(Entry{make(), 1});
}

std::vector<Finding> FindingTally::findings() const {
  std::vector<Finding> out;
  out.reserve(entries_.size());
  for (const Entry& entry : entries_) {
    out.push_back(entry.finding);
    if (entry.count > 1) {
      out.back().where += " (in " + std::to_string(entry.count) + " payloads)";
    }
  }
  return out;
}

std::size_t FindingTally::payloads_past_cap(TestCaseId test_case) const {
  auto it = dropped_by_case_.find(test_case);
  return it == dropped_by_case_.end() ? 0 : it->second;
}

std::vector<std::string> FindingTally::notes() const {
  if (dropped_by_kind_.empty()) {
    return {};
  }
  std::map<std::string, std::size_t> sorted;  // by name, as the note reads
  for (const auto& [kind, payloads] : dropped_by_kind_) {
    sorted[to_string(kind)] = payloads;
  }
  std::string text = "contamination findings capped at " + std::to_string(max_distinct_) +
                     " distinct; payloads with further evidence not listed:";
  for (const auto& [kind, payloads] : sorted) {
    text += " " + kind + " " + std::to_string(payloads);
  }
  return {text};
}

}  // namespace cast::controller
