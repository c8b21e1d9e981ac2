#include "controller/isolation/observation_scanner.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "controller/analysis/excerpt.h"

namespace cast::controller {
namespace {

FindingKind finding_kind(ValueKind kind) {
  switch (kind) {
    case ValueKind::user_id: return FindingKind::foreign_user_id;
    case ValueKind::email:
    case ValueKind::display_name: return FindingKind::foreign_profile;
    case ValueKind::agent_id: return FindingKind::foreign_agent_id;
    case ValueKind::request_id: return FindingKind::foreign_request_id;
  }
  return FindingKind::foreign_value;
}

std::string string_field(const nlohmann::json& frame, const char* key) {
  auto it = frame.find(key);
  return it != frame.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

}  // namespace

void ObservationScanner::scan(const Observation& seen) {
  ++counters_.payloads;
  counters_.bytes += seen.payload.size();
  hits_.clear();
  forms_.clear();
  facts_.reset();
  scan_form(seen, 0);
  append_decoded_forms(seen.payload, forms_, context_.options.decode);
  for (std::size_t form = 1; form <= forms_.size(); ++form) {
    scan_form(seen, form);
  }
  check_identity_echo(seen);
  record_hits(seen);
}

void ObservationScanner::scan_form(const Observation& seen, std::size_t form) {
  std::string_view text = form_text(seen, form);
  scan_values(seen, text, form);
  scan_canaries(seen, text, form);
}

void ObservationScanner::scan_values(const Observation& seen, std::string_view text, std::size_t form) {
  matches_.clear();
  context_.values.find_all(text, raw_matches_, matches_);
  for (const ValueMatch& match : matches_) {
    bool probe_target = match.kind == ValueKind::agent_id && seen.phase == "probe";
    if (match.owner != seen.user_index && !probe_target) {
      hits_.push_back(Hit{finding_kind(match.kind), TestCaseId::cross_contamination, user_name(match.owner), form,
                          match.offset, match.length});
    }
  }
}

void ObservationScanner::scan_canaries(const Observation& seen, std::string_view text, std::size_t form) {
  for (const CanaryCandidate& candidate : find_canary_candidates(text)) {
    CanaryCheck check = verify(candidate.text);
    if (check.verdict == CanaryVerdict::valid) {
      if (check.owner_index != seen.user_index) {
        hits_.push_back(Hit{FindingKind::foreign_canary, TestCaseId::cross_contamination, user_name(check.owner_index),
                            form, candidate.offset, candidate.text.size()});
      }
      continue;
    }
    if (check.verdict == CanaryVerdict::wrong_run || candidate.parts.run8 != context_.canaries.run8()) {
      if (counters_.wrong_run_canaries++ == 0) {
        counters_.first_wrong_run = std::string(candidate.text);
      }
      continue;
    }
    if (!candidate.complete && cut_by_us(seen, text, form, candidate)) {
      ++counters_.cut_canaries;
      continue;
    }
    auto claimed = claimed_index(candidate.parts);
    hits_.push_back(Hit{FindingKind::forged_canary, TestCaseId::cross_contamination,
                        claimed ? user_name(*claimed) : "unknown", form, candidate.offset, candidate.text.size()});
  }
}

void ObservationScanner::check_identity_echo(const Observation& seen) {
  const auto& types = context_.options.identity_echo_types;
  bool may_echo = std::any_of(types.begin(), types.end(),
                              [&](const std::string& type) { return seen.payload.find(type) != std::string::npos; });
  if (!may_echo || seen.user_index >= context_.planned.size()) {
    return;
  }
  const FrameFacts& frame = facts(seen);
  bool echo_type = std::find(types.begin(), types.end(), frame.type) != types.end();
  if (!echo_type || frame.user_id.empty() || frame.user_id == context_.planned[seen.user_index].user_id) {
    return;
  }
  auto owner = context_.index.by_user_id(frame.user_id);
  std::size_t key_at = seen.payload.find("\"user_id\"");
  std::size_t at = seen.payload.find(frame.user_id, key_at == std::string::npos ? 0 : key_at);
  bool found = at != std::string::npos;
  hits_.push_back(Hit{FindingKind::identity_mismatch, TestCaseId::startup_isolation,
                      owner ? user_name(*owner) : frame.user_id, 0, found ? at : 0, found ? frame.user_id.size() : 0});
}

// Every reply quotes its user's canary, so the same few strings come back
// all the time; one HMAC each is enough.
CanaryCheck ObservationScanner::verify(std::string_view candidate) {
  auto known = verdicts_.find(candidate);
  if (known != verdicts_.end()) {
    return known->second;
  }
  if (verdicts_.size() >= kMaxRememberedCanaries) {
    verdicts_.clear();
  }
  CanaryCheck check = context_.canaries.verify(candidate);
  verdicts_.emplace(std::string(candidate), check);
  return check;
}

// An incomplete canary proves nothing when the cut is ours: the capture cap
// ends payloads anywhere, and a base64 run decodes only up to where the
// run is broken, which may be inside the text it encodes.
bool ObservationScanner::cut_by_us(const Observation& seen, std::string_view text, std::size_t form,
                                   const CanaryCandidate& candidate) const {
  bool at_end = candidate.offset + candidate.text.size() + 1 >= text.size();
  return (seen.truncated && at_end) || (form > 0 && forms_[form - 1].label.find("base64") != std::string::npos);
}

// A user id is the weakest evidence: when the payload shows the same owner's
// canary, profile, agent or request id, the id is usually part of it
// (`u-000042@...`, `u-000042-r7`), in the same or another decoded form.
void ObservationScanner::note_strong_owners() {
  strong_owners_.clear();
  for (const Hit& hit : hits_) {
    if (hit.test_case == TestCaseId::cross_contamination && hit.kind != FindingKind::foreign_user_id) {
      strong_owners_.insert(hit.owner);
    }
  }
}

bool ObservationScanner::outweighed(const Hit& hit) const {
  return hit.kind == FindingKind::foreign_user_id && strong_owners_.contains(hit.owner);
}

void ObservationScanner::record_hits(const Observation& seen) {
  if (hits_.empty()) {
    return;
  }
  keys_.clear();
  note_strong_owners();
  std::string observer = user_name(seen.user_index);
  std::string channel = seen.channel == ObservationChannel::rest ? "rest" : "ws";
  const std::string& type = facts(seen).type;
  for (const Hit& hit : hits_) {
    if (outweighed(hit)) {
      continue;
    }
    std::string key = to_string(hit.kind) + ('|' + observer) + '|' + hit.owner + '|' + channel + '|' + type;
    if (keys_.insert(key).second) {
      tally_.add(hit.kind, hit.test_case, key, [&] { return make_finding(seen, hit); });
    }
  }
}

Finding ObservationScanner::make_finding(const Observation& seen, const Hit& hit) {
  Finding finding;
  finding.kind = hit.kind;
  finding.test_case = hit.test_case;
  finding.observer = user_name(seen.user_index);
  finding.owner = hit.owner;
  finding.channel = seen.channel == ObservationChannel::rest ? "rest" : "ws";
  const std::string& type = facts(seen).type;
  if (!seen.part.empty()) {
    finding.where = (seen.phase.empty() ? "" : seen.phase + " ") + seen.part;
  } else {
    finding.where = !type.empty() ? type : (seen.phase.empty() ? "payload" : seen.phase + " answer");
  }
  if (!seen.request_id.empty()) {
    finding.where += " request_id=" + seen.request_id;
  }
  finding.excerpt = hit.form == 0 ? std::string{} : "[" + forms_[hit.form - 1].label + "] ";
  finding.excerpt += mark_excerpt(form_text(seen, hit.form), hit.offset, hit.length);
  finding.t_s = static_cast<double>(seen.offset_us) / 1e6;
  return finding;
}

std::string_view ObservationScanner::form_text(const Observation& seen, std::size_t form) const {
  return form == 0 ? std::string_view(seen.payload) : std::string_view(forms_[form - 1].text);
}

// Parsed at most once per payload, and only for payloads with evidence or
// an identity to check: parsing every frame would cost more than the scan.
const ObservationScanner::FrameFacts& ObservationScanner::facts(const Observation& seen) {
  if (!facts_) {
    facts_.emplace();
    auto frame = nlohmann::json::parse(seen.payload, nullptr, false);
    if (frame.is_object()) {
      facts_->type = string_field(frame, "type");
      facts_->user_id = string_field(frame, "user_id");
    }
  }
  return *facts_;
}

std::string ObservationScanner::user_name(std::size_t index) const {
  return index < context_.planned.size() ? context_.planned[index].user_id : "#" + std::to_string(index);
}

}  // namespace cast::controller
