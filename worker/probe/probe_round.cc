#include "worker/probe/probe_round.h"

#include <boost/asio/ssl/context.hpp>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/net/tls_client.h"
#include "worker/probe/probe_loop.h"
#include "worker/probe/probe_user.h"
#include "worker/session/loop_ticker.h"
#include "worker/session/session_core.h"

namespace cast::worker {
namespace {

using Launch = std::function<void(ProbeUser::Finished)>;

// Without the secret, this many attackers per round also probe expiry with
// a real short-lived token. Expiry is the platform's, not the user's, and
// each such attacker waits about two seconds for its token to expire.
constexpr std::size_t kExpiryProbersPerRound = 2;

ProbeEndpoints resolve_endpoints(const RunSetup& setup) {
  return {resolve_service(setup.auth_url), resolve_service(setup.backend_url), resolve_service(setup.ws_url)};
}

// Keeps at most `parallel` users in flight; each one that finishes starts the next.
class ProbeQueue {
 public:
  ProbeQueue(std::vector<Launch> launches, std::size_t parallel)
      : launches_(std::move(launches)), parallel_(std::max<std::size_t>(1, parallel)) {}

  void start() {
    for (std::size_t i = 0; i < parallel_; ++i) {
      launch_next();
    }
  }
  bool finished() const { return next_ >= launches_.size() && in_flight_ == 0; }

 private:
  void launch_next() {
    if (next_ < launches_.size()) {
      ++in_flight_;
      launches_[next_++]([this] {
        --in_flight_;
        launch_next();
      });
    }
  }

  std::vector<Launch> launches_;
  std::size_t parallel_;
  std::size_t next_{0};
  std::size_t in_flight_{0};
};

// Ends the loop from outside as soon as `stop` says so, whatever the loop
// is waiting on (io_context::stop is thread-safe); the users' destructors
// then close what is still open. Nothing when `stop` is empty.
class StopWatch {
 public:
  StopWatch(boost::asio::io_context& ioc, const std::function<bool()>& stop) {
    if (!stop) return;
    thread_ = std::thread([this, &ioc, &stop] {
      std::unique_lock lock(mutex_);
      while (!changed_.wait_for(lock, std::chrono::milliseconds{20}, [this] { return over_; })) {
        if (stop()) {
          ioc.stop();
          return;
        }
      }
    });
  }
  ~StopWatch() {
    {
      std::lock_guard lock(mutex_);
      over_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool over_ = false;
  std::thread thread_;
};

bool forges(const cast::v1::ProbeAttack& attack) {
  for (auto kind : attack.probes()) {
    if (kind == cast::v1::PROBE_FORGED_REST || kind == cast::v1::PROBE_FORGED_UPGRADE) return true;
  }
  return false;
}

// One probing user per attacker, aimed at each of its victims in turn (the
// plan lists an attacker's attacks one after another): one token and one
// WebSocket for all of them, as one attacker would.
std::vector<Launch> attack_launches(ProbeLoop& loop, const cast::v1::ProbePlan& plan,
                                    std::vector<std::unique_ptr<ProbeUser>>& users) {
  std::vector<Launch> launches;
  std::vector<std::vector<ProbeAim>> aims;
  std::size_t expiry_probers = 0;
  std::size_t flagged = 0;  // users.size() when the last expiry prober was made one
  for (int i = 0; i < plan.attacks_size(); ++i) {
    const auto& attack = plan.attacks(i);
    if (i == 0 || attack.attacker().index() != plan.attacks(i - 1).attacker().index()) {
      users.emplace_back(std::make_unique<ProbeUser>(loop, attack.attacker()));
      aims.emplace_back();
    }
    auto& aim = aims.back().emplace_back();
    aim.target = {attack.victim_index(), attack.victim_user_id(), attack.victim_tenant_id(), attack.victim_agent_id()};
    for (auto kind : attack.probes()) {
      aim.kinds.push_back(static_cast<cast::v1::ProbeKind>(kind));
    }
    // Only an attacker that sends forged tokens can use an expired one.
    bool new_prober = flagged != users.size();
    if (loop.setup.jwt_secret.empty() && forges(attack) && new_prober && expiry_probers < kExpiryProbersPerRound) {
      ++expiry_probers;
      flagged = users.size();
      users.back()->probe_expiry();
    }
  }
  for (std::size_t u = 0; u < aims.size(); ++u) {
    launches.push_back([&user = *users[u], aims = std::move(aims[u])](ProbeUser::Finished done) {
      user.start_attack(aims, std::move(done));
    });
  }
  return launches;
}

}  // namespace

ProbeRoundSummary run_probe_round(const RunSetup& setup, const cast::v1::ProbePlan& plan, EventSink& sink,
                                  std::chrono::steady_clock::time_point go, ProbeRoundOptions options) {
  auto endpoints = resolve_endpoints(setup);
  std::shared_ptr<boost::asio::ssl::context> tls;
  if (endpoints.auth.url.tls() || endpoints.backend.url.tls() || endpoints.ws.url.tls()) {
    tls = make_tls_client_context(setup.insecure_tls);
  }
  ProbeLoop loop{setup, endpoints, tls.get(), sink, go, options.tokens};
  std::vector<std::unique_ptr<ProbeUser>> users;
  auto launches = attack_launches(loop, plan, users);
  for (const auto& readback : plan.readbacks()) {
    const auto& owner = readback.owner();
    ProbeTarget own{owner.index(), owner.user_id(), owner.tenant_id(), readback.agent_id()};
    auto& user = users.emplace_back(std::make_unique<ProbeUser>(loop, owner));
    launches.push_back([&user = *user, own](ProbeUser::Finished done) { user.start_readback(own, std::move(done)); });
  }
  ProbeQueue queue{std::move(launches), options.parallel_users};
  LoopHealth own_health;
  LoopHealth& health = options.health != nullptr ? *options.health : own_health;
  LoopTicker ticker{loop.ioc, loop.events, health, {[&queue] { return queue.finished(); }, {}}};
  ticker.start();
  queue.start();
  {
    StopWatch watch{loop.ioc, options.stop_requested};
    run_guarded(
        loop.ioc, [&health] { health.count_harness_error(); }, "worker probe loop");
  }
  ticker.finish();
  return {loop.probes_run, loop.probes_unanswered};
}

}  // namespace cast::worker
