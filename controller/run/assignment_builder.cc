#include "controller/run/assignment_builder.h"

namespace cast::controller {
namespace {

std::uint32_t ms(std::chrono::milliseconds d) { return static_cast<std::uint32_t>(d.count()); }

void add_user(v1::Assignment& a, const PlannedUser& u) {
  auto* spec = a.add_users();
  spec->set_index(u.index);
  spec->set_user_id(u.user_id);
  spec->set_tenant_id(u.tenant_id);
  spec->set_email(u.profile.email);
  spec->set_display_name(u.profile.display_name);
  spec->set_canary(u.canary);
  spec->set_request_id_prefix(u.request_id_prefix);
}

}  // namespace

v1::Assignment build_assignment(const std::string& run_id, const std::vector<PlannedUser>& population,
                                const std::vector<std::uint32_t>& user_indices, const PlatformEndpoints& target,
                                const RunConfig& config, const std::string& scenario_text) {
  v1::Assignment a;
  a.set_run_id(run_id);
  for (auto index : user_indices) add_user(a, population.at(index));
  auto* targets = a.mutable_targets();
  targets->set_auth_url(target.auth_url);
  targets->set_backend_url(target.backend_url);
  targets->set_ws_url(target.ws_url);
  targets->set_insecure_tls(config.insecure_tls);
  auto* scenario = a.mutable_scenario();
  scenario->set_definition(scenario_text);
  scenario->set_token_timeout_ms(ms(config.token_timeout));
  scenario->set_connect_timeout_ms(ms(config.connect_timeout));
  scenario->set_start_timeout_ms(ms(config.agent_startup_timeout));
  scenario->set_message_timeout_ms(ms(config.message_timeout));
  scenario->set_run_timeout_ms(ms(config.run_timeout));
  scenario->set_cancel_rate(config.cancel_rate);
  scenario->set_ramp_ms(ms(config.ramp));
  scenario->set_hold_ms(ms(config.hold));
  scenario->set_hold_interval_ms(ms(config.hold_interval));
  a.set_payload_cap_bytes(config.payload_cap_bytes);
  a.set_jwt_secret(target.jwt_secret);
  return a;
}

}  // namespace cast::controller
