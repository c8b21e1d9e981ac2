#pragma once

// The backend's behaviour behind the wire: starting agents, answering
// messages, reading and patching state, each with the fault modes that can
// bend it. Store calls block, so they run on a store thread pool; answers go
// back through Connection::deliver, which hops onto the connection's own
// event loop.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/jwt/jwt.h"
#include "reference/backend/connection.h"
#include "reference/backend/fault_effects.h"
#include "reference/backend/frames.h"
#include "reference/backend/platform_metrics.h"
#include "reference/dialect/ops_dialect.h"
#include "reference/faults/fault_plan.h"
#include "reference/store/stores.h"

namespace boost::asio {
class thread_pool;
}

namespace cast::reference {

struct PlatformOptions {
  std::string secret;
  std::string kid;  // empty: tokens must carry none
  std::string redis_prefix{"cast"};
  std::chrono::milliseconds startup_min{50};   // simulated warm-up, lower bound
  std::chrono::milliseconds startup_max{250};  // simulated warm-up, upper bound
  std::size_t max_frame_bytes{65536};          // bytes; larger frames get bad_request
  int store_threads{50};                       // threads running blocking store calls
  std::size_t max_pending_jobs{20'000};        // queued store jobs before answering overloaded
  Dialect dialect{Dialect::v1};                // what the wire speaks; v1 inside whatever it is
};

// An HTTP status and JSON body for the REST state API.
struct RestAnswer {
  int status{200};
  std::string body;
};
using RestDone = std::function<void(RestAnswer)>;  // called on a store thread

class AgentPlatform {
 public:
  AgentPlatform(PlatformOptions options, Stores stores, FaultPlan& faults);
  ~AgentPlatform();

  jwt::Verified authenticate(std::string_view token);
  // One validated WebSocket request; the answer goes to `from` (or elsewhere, under misroute).
  void handle(const std::shared_ptr<Connection>& from, ClientRequest request);
  void refuse_frame(const std::shared_ptr<Connection>& from, const FrameProblem& problem);

  void rest_get_state(const Identity& who, std::string agent_id, RestDone done);
  void rest_put_state(const Identity& who, std::string agent_id, nlohmann::json patch, RestDone done);
  // header_leak: the value of an X-Last-Caller header for an answer to
  // `who` (another user's data); empty when the fault is off or nobody came before.
  std::string leaked_header(const Identity& who);

  ConnectionRegistry& connections() { return connections_; }
  PlatformMetrics& metrics() { return metrics_; }
  std::size_t max_frame_bytes() const { return options_.max_frame_bytes; }
  Dialect dialect() const { return options_.dialect; }

  // Stops the store pool and flushes the metrics sink; call while the event
  // loops still exist (the pool's pending work holds connections).
  void shutdown();

 private:
  void start_agent(const std::shared_ptr<Connection>& from, ClientRequest request);
  void finish_start(const std::shared_ptr<Connection>& from, ClientRequest& request,
                    std::chrono::steady_clock::time_point started_at);
  void broadcast_status(const Identity& who, const std::string& agent_id, const nlohmann::json& context);
  void answer_message(const std::shared_ptr<Connection>& from, ClientRequest request);
  void read_state(const std::shared_ptr<Connection>& from, ClientRequest request);
  void write_state(const std::shared_ptr<Connection>& from, ClientRequest request);

  // Runs `job` on the store pool; answers overloaded or internal for `from` when it cannot.
  void run_store_job(const std::shared_ptr<Connection>& from, const std::string& request_id, const char* phase,
                     std::function<void()> job);
  void run_rest_job(const RestDone& done, const char* phase, std::function<void()> job);
  void reply(const std::shared_ptr<Connection>& from, nlohmann::json frame, const std::string& request_id);
  void reply_error(const std::shared_ptr<Connection>& from, ErrorCode code, const std::string& message,
                   const std::string& request_id);

  bool may_access(const Identity& who, const AgentRecord& agent);
  std::string new_agent_id();
  std::string live_context_key(const Identity& who, const std::string& agent_id) const;
  std::string owner_for(Fault fault, const std::string& user_id);
  std::size_t pick(std::size_t n);
  std::chrono::milliseconds warmup();

  PlatformOptions options_;
  Stores stores_;
  FaultPlan& faults_;
  ConnectionRegistry connections_;
  PlatformMetrics metrics_;
  SharedContextSlot shared_slot_;
  ContentReplyCache reply_cache_;
  RecentUsers recent_users_;
  PreviousCaller previous_caller_;
  std::atomic<std::size_t> pending_jobs_{0};
  std::unique_ptr<boost::asio::thread_pool> pool_;
};

}  // namespace cast::reference
