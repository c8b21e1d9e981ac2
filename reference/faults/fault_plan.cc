#include "reference/faults/fault_plan.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>

namespace cast::reference {
namespace {

constexpr std::array<FaultInfo, kFaultCount> kCatalogue{{
    {Fault::shared_context, "shared_context", 1.0, "start_agent",
     "each start writes its context into one process-wide slot, waits out the warm-up, and takes whatever "
     "the slot holds then, so concurrent starts hold another user's context"},
    {Fault::misroute, "misroute", 0.3, "reply (agent_started, agent_response, agent_state, ack)",
     "the reply is written to another user's open connection"},
    {Fault::no_authz, "no_authz", 1.0, "state read or write (WebSocket and REST)",
     "the owner check is skipped, so anyone can read and patch any agent"},
    {Fault::id_collision, "id_collision", 1.0, "new agent id",
     "the id comes from a 4-value generator, so ids repeat across users and rows are overwritten"},
    {Fault::unscoped_cache, "unscoped_cache", 1.0, "user_message",
     "replies are cached by content alone; a second user sending the same text gets the first user's reply"},
    {Fault::wrong_owner_row, "wrong_owner_row", 0.5, "PostgreSQL agents row",
     "the row is written with another recent user's user_id"},
    {Fault::redis_unprefixed, "redis_unprefixed", 1.0, "live-context key (all or nothing: any rate > 0 is on)",
     "the context lives under {prefix}:{run_id}:live_context, without the user, so users overwrite each other"},
    {Fault::metrics_misattributed, "metrics_misattributed", 0.5, "ClickHouse startup row",
     "the row carries another recent user's user_id"},
    {Fault::broadcast, "broadcast", 1.0, "agent start",
     "an agent_status event with the user's id, email and display name goes to every open connection"},
    {Fault::cancel_corruption, "cancel_corruption", 1.0, "user_message whose client disconnects in flight",
     "the pooled cache connection goes back with its reply unread; its next user reads the stale reply"},
    {Fault::jwt_none, "jwt_none", 1.0, "token with alg none", "unsigned alg:none tokens (any casing) are accepted"},
    {Fault::slow_start, "slow_start", 1.0, "agent start", "the warm-up takes 4000-9000 ms"},
    {Fault::drop_connections, "drop_connections", 0.3, "user_message",
     "the server closes the WebSocket mid-session instead of answering"},
    {Fault::tenant_scoped_authz, "tenant_scoped_authz", 1.0, "state read or write (WebSocket and REST)",
     "the owner check compares tenants only, so any user of the agent's tenant can read and patch it"},
    {Fault::jwt_ignore_exp, "jwt_ignore_exp", 1.0, "token verification (REST and upgrade)",
     "the verifier skips the exp check, so expired tokens with a good signature are accepted"},
    {Fault::jwt_ignore_nbf, "jwt_ignore_nbf", 1.0, "token verification (REST and upgrade)",
     "the verifier skips the nbf check, so tokens that are not valid yet are accepted"},
    {Fault::jwt_ignore_aud, "jwt_ignore_aud", 1.0, "token verification (REST and upgrade)",
     "the verifier skips the aud check, so tokens for another audience, or none, are accepted"},
    {Fault::jwt_ignore_kid, "jwt_ignore_kid", 1.0, "token verification (REST and upgrade)",
     "the verifier skips the kid check, so tokens naming a key it does not have are accepted when the "
     "signature verifies under its own key"},
    {Fault::header_leak, "header_leak", 1.0, "authenticated REST answer or WebSocket upgrade",
     "an X-Last-Caller header names the previous caller's user_id and email"},
}};

std::optional<double> parse_rate(std::string_view text) {
  double rate = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), rate);
  if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(rate) || rate < 0 || rate > 1) {
    return std::nullopt;
  }
  return rate;
}

std::string known_names() {
  std::string names;
  for (const auto& info : kCatalogue) {
    names += names.empty() ? "" : ", ";
    names += info.name;
  }
  return names;
}

}  // namespace

const std::array<FaultInfo, kFaultCount>& fault_catalogue() { return kCatalogue; }

std::string_view to_string(Fault fault) { return kCatalogue[static_cast<std::size_t>(fault)].name; }

FaultSpec parse_fault_spec(std::string_view text) {
  auto colon = text.find(':');
  auto name = text.substr(0, colon);
  const FaultInfo* found = nullptr;
  for (const auto& info : kCatalogue) {
    if (info.name == name) {
      found = &info;
    }
  }
  if (found == nullptr) {
    throw FaultSpecError("unknown fault '" + std::string(name) + "' in --fault " + std::string(text) +
                         " (known: " + known_names() + ")");
  }
  FaultSpec spec{found->fault, found->default_rate};
  if (colon != std::string_view::npos) {
    auto rate = parse_rate(text.substr(colon + 1));
    if (!rate) {
      throw FaultSpecError("bad rate '" + std::string(text.substr(colon + 1)) + "' in --fault " + std::string(text) +
                           ": expected a number in [0, 1]");
    }
    spec.rate = *rate;
  }
  return spec;
}

std::string fault_help() {
  std::string help = "Fault modes (--fault NAME[:RATE], repeatable; RATE = share of eligible events struck):\n";
  char rate[16];
  for (const auto& info : kCatalogue) {
    std::snprintf(rate, sizeof rate, "%.2f", info.default_rate);
    help += "  " + std::string(info.name) + " (default rate " + rate + ", per " + std::string(info.event) +
            "):\n      " + std::string(info.breaks) + "\n";
  }
  return help;
}

FaultPlan::FaultPlan(const std::vector<FaultSpec>& specs, std::uint64_t seed) : rng_(seed) {
  rates_.fill(-1.0);
  for (const auto& spec : specs) {
    rates_[static_cast<std::size_t>(spec.fault)] = spec.rate;
  }
}

bool FaultPlan::enabled(Fault fault) const { return rates_[static_cast<std::size_t>(fault)] >= 0; }

double FaultPlan::rate(Fault fault) const { return enabled(fault) ? rates_[static_cast<std::size_t>(fault)] : 0.0; }

bool FaultPlan::strikes(Fault fault) {
  auto share = rate(fault);
  if (share <= 0) {
    return false;
  }
  std::lock_guard lock(mutex_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < share;
}

std::int64_t FaultPlan::uniform(std::int64_t low, std::int64_t high) {
  std::lock_guard lock(mutex_);
  return std::uniform_int_distribution<std::int64_t>(low, high)(rng_);
}

std::string FaultPlan::describe() const {
  std::string out;
  char rate[16];
  for (const auto& info : kCatalogue) {
    if (enabled(info.fault)) {
      std::snprintf(rate, sizeof rate, "%.2f", this->rate(info.fault));
      out += (out.empty() ? "" : " ") + std::string(info.name) + ":" + rate;
    }
  }
  return out.empty() ? "none" : out;
}

}  // namespace cast::reference
