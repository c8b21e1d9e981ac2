#include "reference/backend/agent_platform.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "common/crypto/encoding.h"
#include "common/crypto/hmac.h"
#include "common/protocol/schema.h"

namespace cast::reference {

namespace net = boost::asio;
using nlohmann::json;

AgentPlatform::AgentPlatform(PlatformOptions options, Stores stores, FaultPlan& faults)
    : options_(std::move(options)),
      stores_(std::move(stores)),
      faults_(faults),
      pool_(std::make_unique<net::thread_pool>(static_cast<std::size_t>(std::max(1, options_.store_threads)))) {}

AgentPlatform::~AgentPlatform() { shutdown(); }

void AgentPlatform::shutdown() {
  if (!pool_) {
    return;
  }
  pool_->stop();
  pool_->join();
  pool_.reset();
  try {
    stores_.metrics->flush();
  } catch (const std::exception& e) {
    spdlog::error("backend shutdown: flushing startup metrics failed: {}", e.what());
  }
}

jwt::Verified AgentPlatform::authenticate(std::string_view token) {
  jwt::VerifyOptions verify;
  verify.secret = options_.secret;
  verify.kid = options_.kid;
  verify.accept_alg_none = faults_.strikes(Fault::jwt_none);
  verify.ignore_exp = faults_.strikes(Fault::jwt_ignore_exp);
  verify.ignore_nbf = faults_.strikes(Fault::jwt_ignore_nbf);
  verify.ignore_aud = faults_.strikes(Fault::jwt_ignore_aud);
  verify.ignore_kid = faults_.strikes(Fault::jwt_ignore_kid);
  return jwt::verify_jwt(token, verify);
}

void AgentPlatform::handle(const std::shared_ptr<Connection>& from, ClientRequest request) {
  switch (request.type) {
    case RequestType::start_agent: return start_agent(from, std::move(request));
    case RequestType::user_message: return answer_message(from, std::move(request));
    case RequestType::get_state: return read_state(from, std::move(request));
    case RequestType::update_state: return write_state(from, std::move(request));
  }
}

void AgentPlatform::refuse_frame(const std::shared_ptr<Connection>& from, const FrameProblem& problem) {
  reply_error(from, ErrorCode::bad_request, problem.message, problem.request_id);
}

void AgentPlatform::run_store_job(const std::shared_ptr<Connection>& from, const std::string& request_id,
                                  const char* phase, std::function<void()> job) {
  if (pending_jobs_.load() >= options_.max_pending_jobs) {
    return reply_error(from, ErrorCode::overloaded, std::string(phase) + ": too many requests queued", request_id);
  }
  ++pending_jobs_;
  net::post(*pool_, [this, from, request_id, phase, job = std::move(job)] {
    try {
      job();
    } catch (const std::exception& e) {
      spdlog::warn("{} for user {}: {}", phase, from->identity().user_id, e.what());
      reply_error(from, ErrorCode::internal, std::string(phase) + " failed: " + e.what(), request_id);
    }
    --pending_jobs_;
  });
}

void AgentPlatform::run_rest_job(const RestDone& done, const char* phase, std::function<void()> job) {
  if (pending_jobs_.load() >= options_.max_pending_jobs) {
    return done({503, R"({"error":"overloaded"})"});
  }
  ++pending_jobs_;
  net::post(*pool_, [this, done, phase, job = std::move(job)] {
    try {
      job();
    } catch (const std::exception& e) {
      spdlog::warn("REST {}: {}", phase, e.what());
      done({500, to_text(json{{"error", std::string(phase) + " failed: " + e.what()}})});
    }
    --pending_jobs_;
  });
}

void AgentPlatform::reply(const std::shared_ptr<Connection>& from, json frame, const std::string& request_id) {
  auto target = from;
  if (faults_.strikes(Fault::misroute)) {
    if (auto other = connections_.someone_else(from->identity().user_id, [this](std::size_t n) { return pick(n); })) {
      target = std::move(other);
    }
  }
  target->deliver(to_text(with_request_id(std::move(frame), request_id)));
}

void AgentPlatform::reply_error(const std::shared_ptr<Connection>& from, ErrorCode code, const std::string& message,
                                const std::string& request_id) {
  metrics_.error_sent(std::string(to_string(code)));
  from->deliver(to_text(error_frame(code, message, request_id)));
}

std::string AgentPlatform::leaked_header(const Identity& who) {
  if (faults_.rate(Fault::header_leak) <= 0) {
    return {};
  }
  auto previous = previous_caller_.swap(who.user_id, who.email);
  return faults_.strikes(Fault::header_leak) ? previous : std::string{};
}

// An agent is its owner's within one tenant and one run: user ids repeat
// across runs of the harness, and a token naming the owner under another
// tenant or run is someone else.
bool AgentPlatform::may_access(const Identity& who, const AgentRecord& agent) {
  bool same_scope = agent.tenant_id == who.tenant_id && agent.run_id == who.run_id;
  if (same_scope && faults_.strikes(Fault::tenant_scoped_authz)) {
    return true;
  }
  return (same_scope && agent.user_id == who.user_id) || faults_.strikes(Fault::no_authz);
}

std::string AgentPlatform::new_agent_id() {
  if (faults_.strikes(Fault::id_collision)) {
    return "agent-" + std::to_string(faults_.uniform(0, 3));
  }
  return "agent-" + hex_encode(random_bytes(16));
}

std::string AgentPlatform::live_context_key(const Identity& who, const std::string& agent_id) const {
  if (faults_.rate(Fault::redis_unprefixed) > 0) {
    return options_.redis_prefix + ":" + who.run_id + ":live_context";
  }
  return schema::redis_agent_key(options_.redis_prefix, who.run_id, who.user_id, agent_id);
}

std::string AgentPlatform::owner_for(Fault fault, const std::string& user_id) {
  if (!faults_.strikes(fault)) {
    return user_id;
  }
  return recent_users_.other_than(user_id, [this](std::size_t n) { return pick(n); });
}

std::size_t AgentPlatform::pick(std::size_t n) {
  return static_cast<std::size_t>(faults_.uniform(0, static_cast<std::int64_t>(n) - 1));
}

std::chrono::milliseconds AgentPlatform::warmup() {
  if (faults_.strikes(Fault::slow_start)) {
    return std::chrono::milliseconds{faults_.uniform(4000, 9000)};
  }
  return std::chrono::milliseconds{faults_.uniform(options_.startup_min.count(), options_.startup_max.count())};
}

}  // namespace cast::reference
