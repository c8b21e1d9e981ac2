#include "controller/report/finding_digest.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <utility>

namespace cast::controller {
namespace {

// By name (test case, kind, channel): ties between groups of one size keep
// the alphabetical order reports have always shown.
using GroupKey = std::tuple<std::string, std::string, std::string>;
using Pair = std::pair<std::string, std::string>;  // observer, owner

struct Gathering {
  FindingGroup group;
  std::set<Pair> pairs;
  std::vector<const Finding*> repeats;  // same pair as an earlier example, kept in case few pairs exist
};

void gather(Gathering& g, const Finding& finding, std::size_t examples) {
  ++g.group.count;
  bool new_pair = g.pairs.emplace(finding.observer, finding.owner).second;
  if (new_pair && g.group.examples.size() < examples) {
    g.group.examples.push_back(&finding);
  } else if (!new_pair && g.repeats.size() < examples) {
    g.repeats.push_back(&finding);
  }
}

// A group with fewer distinct pairs than example slots shows repeats too.
FindingGroup finish(Gathering&& g, std::size_t examples) {
  g.group.pairs = g.pairs.size();
  for (const Finding* repeat : g.repeats) {
    if (g.group.examples.size() >= examples) break;
    g.group.examples.push_back(repeat);
  }
  return std::move(g.group);
}

}  // namespace

FindingDigest digest_findings(const std::vector<Finding>& findings, DigestLimits limits) {
  std::map<GroupKey, Gathering> by_key;
  for (const Finding& f : findings) {
    auto [it, fresh] = by_key.try_emplace(GroupKey{to_string(f.test_case), to_string(f.kind), f.channel});
    if (fresh) {
      it->second.group.test_case = f.test_case;
      it->second.group.kind = f.kind;
      it->second.group.channel = f.channel;
    }
    gather(it->second, f, limits.examples);
  }
  std::vector<FindingGroup> groups;
  for (auto& [key, gathering] : by_key) groups.push_back(finish(std::move(gathering), limits.examples));
  // Largest first; the map's key order breaks ties, so the order is stable.
  std::stable_sort(groups.begin(), groups.end(),
                   [](const FindingGroup& a, const FindingGroup& b) { return a.count > b.count; });
  FindingDigest digest;
  digest.total = findings.size();
  for (std::size_t i = limits.groups; i < groups.size(); ++i) {
    ++digest.groups_left_off;
    digest.findings_left_off += groups[i].count;
  }
  if (groups.size() > limits.groups) groups.resize(limits.groups);
  digest.groups = std::move(groups);
  return digest;
}

}  // namespace cast::controller
