#include "controller/probes/probe_judge.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "cast_control.pb.h"

namespace cast::controller {
namespace {

using nlohmann::json;

enum class Answer { none, denied, wrong_code, granted };

bool is_success(int status) { return status >= 200 && status < 300; }

Answer classify_ws(const ProbeResult& r) {
  if (r.answer_type.empty()) {
    return Answer::none;
  }
  // The worker marks a refusal by the scenario's error type, whatever the dialect calls it.
  if (r.error_kind != "error_reply") {
    return Answer::granted;
  }
  return r.answer_code == "not_found" || r.answer_code == "unauthorized" ? Answer::denied : Answer::wrong_code;
}

// A forged token may only ever hear 401; anything that got past
// authentication (a state, or the owner check's 404) means it was accepted.
Answer classify_forged(const ProbeResult& r, bool upgrade) {
  if (r.http_status == 0) {
    return Answer::none;
  }
  if (r.http_status == 401) {
    return Answer::denied;
  }
  bool through = upgrade ? r.http_status == 101 : is_success(r.http_status) || r.http_status == 404;
  return through ? Answer::granted : Answer::wrong_code;
}

Answer classify_rest(const ProbeResult& r) {
  if (r.http_status == 0) {
    return Answer::none;
  }
  if (r.http_status == 401 || r.http_status == 404) {
    return Answer::denied;
  }
  return is_success(r.http_status) ? Answer::granted : Answer::wrong_code;
}

// Well-signed tokens naming someone else (another tenant, another run):
// authentication may pass them, the owner check must not.
bool names_someone_else(const ProbeResult& r) {
  return r.forgery == v1::FORGERY_VICTIM_SUB || r.forgery == v1::FORGERY_OTHER_TENANT ||
         r.forgery == v1::FORGERY_OTHER_RUN;
}

Answer classify(const ProbeResult& r) {
  switch (r.kind) {
    case ProbeKind::ws_upgrade_forged: return classify_forged(r, true);
    case ProbeKind::rest_forged: return names_someone_else(r) ? classify_rest(r) : classify_forged(r, false);
    case ProbeKind::ws_get_state:
    case ProbeKind::ws_update_state:
    case ProbeKind::ws_message: return classify_ws(r);
    case ProbeKind::rest_get_state:
    case ProbeKind::rest_put_state: return classify_rest(r);
    default: return Answer::none;
  }
}

// An agent that answers another user's message has given that user's context away.
FindingKind granted_kind(ProbeKind kind) {
  switch (kind) {
    case ProbeKind::ws_get_state:
    case ProbeKind::ws_message:
    case ProbeKind::rest_get_state: return FindingKind::unauthorized_read;
    case ProbeKind::ws_update_state:
    case ProbeKind::rest_put_state: return FindingKind::unauthorized_write;
    default: return FindingKind::forged_token_accepted;
  }
}

// The first victim value found in the answer's body or head, if any.
std::optional<std::string> victim_value_in(const ProbeResult& r, const PlannedUser& victim) {
  for (const auto* value : {&victim.canary, &victim.profile.email, &victim.profile.display_name, &victim.user_id}) {
    if (!value->empty() && (r.payload.find(*value) != std::string::npos || r.head.find(*value) != std::string::npos)) {
      return *value;
    }
  }
  return std::nullopt;
}

// The answer's headline (status or type) and a piece of the payload,
// with `marked` (when given) between >>> <<<.
std::string excerpt(const ProbeResult& r, const std::optional<std::string>& marked) {
  std::string head = r.channel == "ws" && !r.answer_type.empty()
                         ? r.answer_type + (r.answer_code.empty() ? "" : " " + r.answer_code)
                         : "HTTP " + std::to_string(r.http_status);
  const auto& where = marked && r.payload.find(*marked) == std::string::npos ? r.head : r.payload;
  auto at = marked ? where.find(*marked) : std::string::npos;
  if (at == std::string::npos) {
    return head + (r.payload.empty() ? "" : ": " + r.payload.substr(0, 160));
  }
  auto from = at > 60 ? at - 60 : 0;
  return head + ": " + where.substr(from, at - from) + ">>>" + *marked + "<<<" + where.substr(at + marked->size(), 60);
}

Finding finding(FindingKind kind, const ProbeResult& r, const std::vector<PlannedUser>& population,
                std::string excerpt_text) {
  Finding made;
  made.test_case =
      kind == FindingKind::victim_data_in_denial ? TestCaseId::cross_contamination : TestCaseId::state_persistence;
  made.kind = kind;
  made.observer = population.at(r.actor_index).user_id;
  made.owner = population.at(r.target_index).user_id;
  made.observer_tenant = population.at(r.actor_index).tenant_id;
  made.owner_tenant = population.at(r.target_index).tenant_id;
  made.channel = r.channel;
  made.where = probe_label(r) + ": " + r.call + (r.request_id.empty() ? "" : " (request " + r.request_id + ")");
  made.excerpt = std::move(excerpt_text);
  made.t_s = static_cast<double>(r.offset_us) / 1e6;
  return made;
}

// The `cast_probe` marker anywhere in the read-back state, if present.
std::optional<std::string> marker_in(const json& value) {
  if (value.is_object()) {
    for (const auto& [key, inner] : value.items()) {
      if (key == "cast_probe") {
        return inner.is_string() ? inner.get<std::string>() : inner.dump();
      }
      if (auto found = marker_in(inner)) {
        return found;
      }
    }
  }
  return std::nullopt;
}

void judge_readback(const ProbeResult& r, const std::vector<PlannedUser>& population, std::vector<Finding>& out) {
  bool read = r.channel == "ws" ? !r.answer_type.empty() && r.error_kind.empty() : is_success(r.http_status);
  if (!read) {
    return;
  }
  auto marker = marker_in(json::parse(r.payload, nullptr, false));
  if (!marker) {
    return;
  }
  // The read-back is the victim's own: the observer is whoever left the mark.
  auto made = finding(FindingKind::unauthorized_modification, r, population, excerpt(r, *marker));
  made.observer = *marker;
  made.owner = population.at(r.actor_index).user_id;
  made.owner_tenant = population.at(r.actor_index).tenant_id;
  auto writer =
      std::find_if(population.begin(), population.end(), [&](const PlannedUser& u) { return u.user_id == *marker; });
  made.observer_tenant = writer == population.end() ? "" : writer->tenant_id;
  out.push_back(std::move(made));
}

void judge_attack(const ProbeResult& r, const std::vector<PlannedUser>& population, std::vector<Finding>& out) {
  auto answer = classify(r);
  if (answer == Answer::none) {
    return;
  }
  auto leaked = victim_value_in(r, population.at(r.target_index));
  if (answer == Answer::granted) {
    out.push_back(finding(granted_kind(r.kind), r, population, excerpt(r, leaked)));
    return;
  }
  if (answer == Answer::wrong_code) {
    out.push_back(finding(FindingKind::denied_with_wrong_code, r, population, excerpt(r, leaked)));
  }
  if (leaked) {
    out.push_back(finding(FindingKind::victim_data_in_denial, r, population, excerpt(r, leaked)));
  }
}

}  // namespace

std::vector<Finding> judge_probes(const std::vector<PlannedUser>& population, const std::vector<ProbeResult>& results) {
  std::vector<Finding> findings;
  for (const auto& r : results) {
    if (r.actor_index >= population.size() || r.target_index >= population.size()) {
      continue;  // not a user of this run: the event ledger notes those
    }
    if (r.kind == ProbeKind::readback) {
      judge_readback(r, population, findings);
    } else {
      judge_attack(r, population, findings);
    }
  }
  return findings;
}

}  // namespace cast::controller
