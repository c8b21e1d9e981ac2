#include "worker/probe/probe_round.h"

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/net/tls_client.h"
#include "worker/probe/probe_loop.h"
#include "worker/probe/probe_user.h"
#include "worker/session/loop_ticker.h"
#include "worker/session/session_core.h"

namespace cast::worker {
namespace {

using Launch = std::function<void(ProbeUser::Finished)>;
using KeptUsers = std::unordered_map<std::uint32_t, std::unique_ptr<ProbeUser>>;

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

// The round's read-backs: a user whose attacks left its WebSocket open
// reads over it (the same user object, `carried` loses it), any other is
// a new user.
void add_readbacks(ProbeLoop& loop, const cast::v1::ProbePlan& plan, KeptUsers& carried,
                   std::vector<std::unique_ptr<ProbeUser>>& users, std::vector<Launch>& launches) {
  for (const auto& readback : plan.readbacks()) {
    const auto& owner = readback.owner();
    ProbeTarget own{owner.index(), owner.user_id(), owner.tenant_id(), readback.agent_id()};
    if (auto kept = carried.find(owner.index()); kept != carried.end()) {
      users.push_back(std::move(kept->second));
      carried.erase(kept);
    } else {
      users.push_back(std::make_unique<ProbeUser>(loop, owner));
    }
    launches.push_back(
        [&user = *users.back(), own](ProbeUser::Finished done) { user.start_readback(own, std::move(done)); });
  }
}

// What no read-back of this round took is closed in it.
void add_releases(KeptUsers& carried, std::vector<std::unique_ptr<ProbeUser>>& users, std::vector<Launch>& launches) {
  for (auto& [index, user] : carried) {
    users.push_back(std::move(user));
    launches.push_back([&user = *users.back()](ProbeUser::Finished done) { user.start_release(std::move(done)); });
  }
  carried.clear();
}

}  // namespace

// Members in this order so that users (and their sockets) go before the
// loop they were made on.
struct ProbePhase::State {
  State(const RunSetup& setup, const ProbeEndpoints& endpoints, boost::asio::ssl::context* tls, EventSink& sink,
        std::chrono::steady_clock::time_point go, ProbeTokens tokens)
      : loop(setup, endpoints, tls, sink, go, std::move(tokens)) {}
  ProbeLoop loop;
  KeptUsers kept;  // attackers whose WebSocket waits for their read-back
};

ProbePhase::ProbePhase(const RunSetup& setup, EventSink& sink, std::chrono::steady_clock::time_point go,
                       ProbeTokens tokens)
    : setup_(setup), sink_(sink), go_(go), endpoints_(std::make_unique<ProbeEndpoints>(resolve_endpoints(setup))) {
  if (endpoints_->auth.url.tls() || endpoints_->backend.url.tls() || endpoints_->ws.url.tls()) {
    tls_ = make_tls_client_context(setup.insecure_tls);
  }
  state_ = std::make_unique<State>(setup_, *endpoints_, tls_.get(), sink_, go_, std::move(tokens));
}

ProbePhase::~ProbePhase() {
  if (!state_->kept.empty()) {
    try {
      run_round(cast::v1::ProbePlan{});  // a round of releases only
    } catch (const std::exception&) {
      // Nothing left to report; the sockets close with their users.
    }
  }
}

const ProbeTokens& ProbePhase::tokens() const { return state_->loop.tokens; }
std::size_t ProbePhase::kept_websockets() const { return state_->kept.size(); }

ProbeRoundSummary ProbePhase::run_round(const cast::v1::ProbePlan& plan, const ProbeRoundOptions& options) {
  auto& loop = state_->loop;
  loop.probes_run = 0;
  loop.probes_unanswered = 0;
  loop.websockets_kept = 0;
  auto carried = std::exchange(state_->kept, {});
  std::vector<std::unique_ptr<ProbeUser>> users;
  auto launches = attack_launches(loop, plan, users);
  add_readbacks(loop, plan, carried, users, launches);
  add_releases(carried, users, launches);
  ProbeQueue queue{std::move(launches), options.parallel_users};
  LoopHealth own_health;
  LoopHealth& health = options.health != nullptr ? *options.health : own_health;
  // A WebSocket left open keeps the loop busy: it is stopped once the last
  // user is done (after the ticker's last flush).
  LoopTicker ticker{loop.ioc,
                    loop.events,
                    health,
                    {[&queue, &loop] {
                       if (!queue.finished()) return false;
                       boost::asio::post(loop.ioc, [&loop] { loop.ioc.stop(); });
                       return true;
                     },
                     {}}};
  loop.ioc.restart();
  ticker.start();
  queue.start();
  {
    StopWatch watch{loop.ioc, options.stop_requested};
    run_guarded(
        loop.ioc, [&health] { health.count_harness_error(); }, "worker probe loop");
  }
  ticker.finish();
  ProbeRoundSummary summary{loop.probes_run, loop.probes_unanswered};
  if (!queue.finished()) {
    // Stopped from outside: calls in flight are abandoned with the loop, and
    // a new one serves any later round (the tokens stay).
    auto tokens = std::move(loop.tokens);
    users.clear();
    state_ = std::make_unique<State>(setup_, *endpoints_, tls_.get(), sink_, go_, std::move(tokens));
    return summary;
  }
  loop.ioc.restart();
  loop.ioc.poll();  // what the users' last steps left ready runs while they are still there
  for (auto& user : users) {
    if (user->keeps_websocket()) {
      user->park();
      auto index = user->index();
      state_->kept.emplace(index, std::move(user));
    }
  }
  return summary;
}

ProbeRoundSummary run_probe_round(const RunSetup& setup, const cast::v1::ProbePlan& plan, EventSink& sink,
                                  std::chrono::steady_clock::time_point go, ProbeRoundOptions options) {
  ProbePhase phase{setup, sink, go};
  return phase.run_round(plan, options);
}

}  // namespace cast::worker
