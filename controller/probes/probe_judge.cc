#include "controller/probes/probe_judge.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "cast_control.pb.h"

namespace cast {
namespace {

using nlohmann::json;

enum class Answer { none, denied, wrong_code, granted };

bool starts_with(const std::string& text, std::string_view prefix) { return text.rfind(prefix, 0) == 0; }

bool is_success(int status) { return status >= 200 && status < 300; }

Answer classify_ws(const ProbeResult& r) {
  if (r.answer_type.empty()) {
    return Answer::none;
  }
  if (r.answer_type != "error") {
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
  if (starts_with(r.probe, "ws_upgrade_forged:")) {
    return classify_forged(r, true);
  }
  if (starts_with(r.probe, "rest_forged:")) {
    return names_someone_else(r) ? classify_rest(r) : classify_forged(r, false);
  }
  if (r.probe == "ws_get_state" || r.probe == "ws_update_state") {
    return classify_ws(r);
  }
  if (r.probe == "rest_get_state" || r.probe == "rest_put_state") {
    return classify_rest(r);
  }
  return Answer::none;
}

std::string granted_kind(const std::string& probe) {
  if (probe == "ws_get_state" || probe == "rest_get_state") {
    return "unauthorized_read";
  }
  if (probe == "ws_update_state" || probe == "rest_put_state") {
    return "unauthorized_write";
  }
  return "forged_token_accepted";
}

// The first victim value found in `payload`, if any.
std::optional<std::string> victim_value_in(const std::string& payload, const PlannedUser& victim) {
  for (const auto* value : {&victim.canary, &victim.profile.email, &victim.profile.display_name, &victim.user_id}) {
    if (!value->empty() && payload.find(*value) != std::string::npos) {
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
  if (!marked) {
    return head + (r.payload.empty() ? "" : ": " + r.payload.substr(0, 160));
  }
  auto at = r.payload.find(*marked);
  auto from = at > 60 ? at - 60 : 0;
  return head + ": " + r.payload.substr(from, at - from) + ">>>" + *marked + "<<<" +
         r.payload.substr(at + marked->size(), 60);
}

Finding finding(std::string kind, const ProbeResult& r, const std::vector<PlannedUser>& population,
                std::string excerpt_text) {
  Finding made;
  made.test_case = kind == "victim_data_in_denial" ? "cross_contamination" : "state_persistence";
  made.kind = std::move(kind);
  made.observer = population.at(r.actor_index).user_id;
  made.owner = population.at(r.target_index).user_id;
  made.observer_tenant = population.at(r.actor_index).tenant_id;
  made.owner_tenant = population.at(r.target_index).tenant_id;
  made.channel = r.channel;
  made.where = r.probe + ": " + r.call + (r.request_id.empty() ? "" : " (request " + r.request_id + ")");
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
  if (!is_success(r.http_status)) {
    return;
  }
  auto marker = marker_in(json::parse(r.payload, nullptr, false));
  if (!marker) {
    return;
  }
  // The read-back is the victim's own: the observer is whoever left the mark.
  auto made = finding("unauthorized_modification", r, population, excerpt(r, *marker));
  made.observer = *marker;
  made.owner = population.at(r.actor_index).user_id;
  made.owner_tenant = population.at(r.actor_index).tenant_id;
  auto writer = std::find_if(population.begin(), population.end(), [&](const PlannedUser& u) { return u.user_id == *marker; });
  made.observer_tenant = writer == population.end() ? "" : writer->tenant_id;
  out.push_back(std::move(made));
}

void judge_attack(const ProbeResult& r, const std::vector<PlannedUser>& population, std::vector<Finding>& out) {
  auto answer = classify(r);
  if (answer == Answer::none) {
    return;
  }
  auto leaked = victim_value_in(r.payload, population.at(r.target_index));
  if (answer == Answer::granted) {
    out.push_back(finding(granted_kind(r.probe), r, population, excerpt(r, leaked)));
    return;
  }
  if (answer == Answer::wrong_code) {
    out.push_back(finding("denied_with_wrong_code", r, population, excerpt(r, leaked)));
  }
  if (leaked) {
    out.push_back(finding("victim_data_in_denial", r, population, excerpt(r, leaked)));
  }
}

}  // namespace

std::vector<Finding> judge_probes(const std::vector<PlannedUser>& population,
                                  const std::vector<ProbeResult>& results) {
  std::vector<Finding> findings;
  for (const auto& r : results) {
    if (r.actor_index >= population.size() || r.target_index >= population.size()) {
      continue;  // not a user of this run: the event ledger notes those
    }
    if (r.probe == "victim_readback") {
      judge_readback(r, population, findings);
    } else {
      judge_attack(r, population, findings);
    }
  }
  return findings;
}

}  // namespace cast
