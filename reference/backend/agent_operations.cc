// The four WebSocket requests and the REST state calls, with the fault
// modes that bend them. Everything below a store call runs on the store pool.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "common/protocol/schema.h"
#include "reference/backend/agent_platform.h"

namespace cast::reference {

namespace net = boost::asio;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// cancel_corruption keeps the read in flight long enough for a leaving
// client to be noticed; a clean platform answers as fast as it can.
constexpr std::chrono::milliseconds kCorruptibleInFlight{100};

std::string display_name(const json& context) {
  for (const auto* holder : {&context, context.contains("profile") ? &context["profile"] : nullptr}) {
    if (holder != nullptr && holder->is_object() && holder->contains("display_name") &&
        (*holder)["display_name"].is_string()) {
      return (*holder)["display_name"].get<std::string>();
    }
  }
  return {};
}

std::string rest_body(const AgentRecord& agent) {
  return to_text(json{{"agent_id", agent.agent_id},
                      {"user_id", agent.user_id},
                      {"tenant_id", agent.tenant_id},
                      {"state", agent.state}});
}

const RestAnswer kNotFound{404, R"({"error":"agent not found"})"};

}  // namespace

void AgentPlatform::start_agent(const std::shared_ptr<Connection>& from, ClientRequest request) {
  auto started_at = std::chrono::steady_clock::now();
  bool shared = faults_.strikes(Fault::shared_context);
  if (shared) {
    shared_slot_.put(request.context);
  }
  // The warm-up is a timer on the store pool, so it holds no thread.
  auto timer = std::make_shared<net::steady_timer>(pool_->get_executor(), warmup());
  timer->async_wait([this, timer, from, request = std::move(request), started_at, shared](auto ec) mutable {
    if (ec) {
      return;
    }
    if (shared) {
      request.context = shared_slot_.take();
    }
    auto request_id = request.request_id;
    run_store_job(from, request_id, "start_agent", [this, from, request = std::move(request), started_at]() mutable {
      finish_start(from, request, started_at);
    });
  });
}

void AgentPlatform::finish_start(const std::shared_ptr<Connection>& from, ClientRequest& request,
                                 std::chrono::steady_clock::time_point started_at) {
  const auto& who = from->identity();
  auto agent_id = new_agent_id();
  recent_users_.note(who.user_id);
  stores_.agents->save_agent(AgentRecord{agent_id, who.run_id, owner_for(Fault::wrong_owner_row, who.user_id),
                                         who.tenant_id, request.context});
  stores_.contexts->put_context(live_context_key(who, agent_id),
                                schema::redis_user_agents_key(options_.redis_prefix, who.run_id, who.user_id), agent_id,
                                request.context);
  std::chrono::duration<double, std::milli> startup = std::chrono::steady_clock::now() - started_at;
  stores_.metrics->record(StartupMetric{who.run_id, owner_for(Fault::metrics_misattributed, who.user_id), agent_id,
                                        startup.count(), std::chrono::system_clock::now()});
  metrics_.agent_started();
  reply(from,
        {{"type", "agent_started"}, {"agent_id", agent_id}, {"user_id", who.user_id}, {"startup_ms", startup.count()}},
        request.request_id);
  if (faults_.strikes(Fault::broadcast)) {
    broadcast_status(who, agent_id, request.context);
  }
}

void AgentPlatform::broadcast_status(const Identity& who, const std::string& agent_id, const json& context) {
  auto frame = to_text(json{{"type", "agent_status"},
                            {"status", "started"},
                            {"agent_id", agent_id},
                            {"user_id", who.user_id},
                            {"email", who.email},
                            {"display_name", display_name(context)}});
  for (const auto& connection : connections_.everyone()) {
    connection->deliver(frame);
  }
}

void AgentPlatform::answer_message(const std::shared_ptr<Connection>& from, ClientRequest request) {
  if (faults_.strikes(Fault::drop_connections)) {
    return from->drop();
  }
  auto request_id = request.request_id;
  run_store_job(from, request_id, "user_message", [this, from, request = std::move(request)] {
    const auto& who = from->identity();
    ContextRead read;
    read.key = live_context_key(who, request.agent_id);
    read.client_gone = [from] { return from->gone(); };
    if (faults_.strikes(Fault::cancel_corruption)) {
      read.in_flight = kCorruptibleInFlight;
      read.abandon_reply_if_gone = true;
    }
    auto context = stores_.contexts->read_context(read);
    if (from->gone()) {
      return;
    }
    if (!context) {
      return reply_error(from, ErrorCode::not_found, "no agent " + request.agent_id, request.request_id);
    }
    stores_.agents->save_message(MessageRecord{request.agent_id, who.run_id, who.user_id, request.content});
    auto make_reply = [&] { return agent_reply(request.content, *context); };
    auto content =
        faults_.strikes(Fault::unscoped_cache) ? reply_cache_.remember(request.content, make_reply) : make_reply();
    metrics_.message_answered();
    reply(from, {{"type", "agent_response"}, {"agent_id", request.agent_id}, {"content", content}}, request.request_id);
  });
}

void AgentPlatform::read_state(const std::shared_ptr<Connection>& from, ClientRequest request) {
  auto request_id = request.request_id;
  run_store_job(from, request_id, "get_state", [this, from, request = std::move(request)] {
    auto agent = stores_.agents->load_agent(request.agent_id);
    if (!agent || !may_access(from->identity(), *agent)) {
      return reply_error(from, ErrorCode::not_found, "no agent " + request.agent_id, request.request_id);
    }
    reply(
        from,
        {{"type", "agent_state"}, {"agent_id", agent->agent_id}, {"user_id", agent->user_id}, {"state", agent->state}},
        request.request_id);
  });
}

void AgentPlatform::write_state(const std::shared_ptr<Connection>& from, ClientRequest request) {
  auto request_id = request.request_id;
  run_store_job(from, request_id, "update_state", [this, from, request = std::move(request)] {
    auto agent = stores_.agents->load_agent(request.agent_id);
    if (!agent || !may_access(from->identity(), *agent) ||
        !stores_.agents->merge_state(request.agent_id, request.patch)) {
      return reply_error(from, ErrorCode::not_found, "no agent " + request.agent_id, request.request_id);
    }
    reply(from, {{"type", "ack"}, {"agent_id", request.agent_id}}, request.request_id);
  });
}

void AgentPlatform::rest_get_state(const Identity& who, std::string agent_id, RestDone done) {
  run_rest_job(done, "GET state", [this, who, agent_id = std::move(agent_id), done] {
    auto agent = stores_.agents->load_agent(agent_id);
    if (!agent || !may_access(who, *agent)) {
      return done(kNotFound);
    }
    done({200, rest_body(*agent)});
  });
}

void AgentPlatform::rest_put_state(const Identity& who, std::string agent_id, json patch, RestDone done) {
  run_rest_job(done, "PUT state", [this, who, agent_id = std::move(agent_id), patch = std::move(patch), done] {
    auto agent = stores_.agents->load_agent(agent_id);
    if (!agent || !may_access(who, *agent)) {
      return done(kNotFound);
    }
    auto merged = stores_.agents->merge_state(agent_id, patch);
    if (!merged) {
      return done(kNotFound);
    }
    done({200, rest_body(*merged)});
  });
}

}  // namespace cast::reference
