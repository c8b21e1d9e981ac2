#include "worker/session/user_engine.h"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <bit>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <stdexcept>

#include "common/net/tls_client.h"
#include "worker/session/loop_ticker.h"
#include "worker/session/user_loop.h"
#include "worker/session/virtual_user.h"

namespace cast::worker {

struct UserEngine::Shared {
  RunEndpoints endpoints;
  std::shared_ptr<boost::asio::ssl::context> tls;
};

// Members in this order so that users (and their timers and sockets) go
// before the io_context they were made on.
struct UserEngine::Loop {
  Loop(const RunSetup& setup, const RunEndpoints& endpoints, boost::asio::ssl::context* tls, EventSink& sink,
       LoopHealth& health)
      : context(setup, endpoints, tls, sink, health),
        ticker(context.ioc, context.events, health,
               {[this] { return context.all_finished(); }, [this] { context.health.publish(context.tally); }}) {}
  UserLoop context;
  LoopTicker ticker;
  std::vector<std::unique_ptr<VirtualUser>> users;
};

namespace {

ServiceEndpoint resolve_checked(const std::string& url, std::initializer_list<std::string_view> schemes,
                                const char* role) {
  auto endpoint = resolve_service(url);
  for (auto scheme : schemes) {
    if (endpoint.url.scheme == scheme) {
      return endpoint;
    }
  }
  throw std::invalid_argument(std::string(role) + " URL " + url + " has an unsupported scheme '" + endpoint.url.scheme +
                              "'");
}

// A client masks its frames through Beast's write buffer, one socket write
// per buffer-full, and every connection keeps that buffer for its life
// (4 KB by default, a quarter of a held connection's memory). Sized to the
// scenario's largest frame for a sample user, with room for longer ids and
// contents, a frame still leaves in one write.
std::size_t frame_write_buffer_bytes(const Scenario& scenario, const std::string& run_id,
                                     const cast::v1::UserSpec& sample) {
  const std::string agent(64, 'a');
  const std::string request = sample.request_id_prefix() + "999999";
  const std::string index = std::to_string(sample.index());
  TemplateFields fields{sample.user_id(),
                        sample.tenant_id(),
                        sample.email(),
                        sample.display_name(),
                        sample.canary(),
                        run_id,
                        index,
                        request,
                        agent,
                        {}};
  std::size_t largest = std::max(scenario.start.send.fill(fields).size(), scenario.state.send.fill(fields).size());
  for (const auto& message : scenario.messages) {
    auto content = message.fill(fields);
    fields.content = content;
    largest = std::max(largest, scenario.message.send.fill(fields).size());
  }
  return std::clamp<std::size_t>(std::bit_ceil(largest + largest / 2), 512, 4096);
}

// Exceptions stop at the thread boundary: a handler that throws is a harness
// error, counted, and the loop carries on with its other users.
void run_loop(UserLoop& loop) {
  for (;;) {
    try {
      loop.ioc.run();
      return;
    } catch (const std::exception& error) {
      ++loop.tally.harness_errors;
      spdlog::error("worker event loop: handler threw: {}", error.what());
    }
  }
}

}  // namespace

UserEngine::UserEngine(RunSetup setup, EventSink& sink, EngineOptions options)
    : setup_(std::move(setup)), sink_(sink), options_(options) {
  options_.threads = std::max(1u, options_.threads);
  if (options_.health == nullptr) {
    own_health_ = std::make_unique<HealthBoard>(options_.threads);
    options_.health = own_health_.get();
  }
}

UserEngine::~UserEngine() {
  if (!threads_.empty()) {
    abort("worker shutting down");
    wait();
  }
}

// Called again for users dealt here later (before the go): they join the
// loops made the first time, dealt on round-robin from where it stopped.
std::size_t UserEngine::prepare(const std::vector<cast::v1::UserSpec>& users) {
  if (started_) {
    throw std::logic_error("UserEngine::prepare after start: users cannot join a run under way");
  }
  if (loops_.empty()) {
    make_loops();
  }
  if (users_ == 0 && !users.empty()) {
    auto bytes = frame_write_buffer_bytes(setup_.scenario, setup_.run_id, users.front());
    for (auto& loop : loops_) {
      loop->context.write_buffer_bytes = bytes;
    }
  }
  for (const auto& spec : users) {
    auto& loop = *loops_[users_++ % loops_.size()];
    loop.users.push_back(std::make_unique<VirtualUser>(loop.context, spec));
    ++loop.context.tally.users;
  }
  return users.size();
}

void UserEngine::make_loops() {
  shared_ = std::make_unique<Shared>(Shared{{resolve_checked(setup_.auth_url, {"http", "https"}, "auth"),
                                             resolve_checked(setup_.backend_url, {"http", "https"}, "backend"),
                                             resolve_checked(setup_.ws_url, {"ws", "wss"}, "WebSocket")},
                                            {}});
  const auto& endpoints = shared_->endpoints;
  if (endpoints.auth.url.tls() || endpoints.backend.url.tls() || endpoints.ws.url.tls()) {
    shared_->tls = make_tls_client_context(setup_.insecure_tls);
  }
  for (unsigned i = 0; i < options_.threads; ++i) {
    loops_.push_back(std::make_unique<Loop>(setup_, endpoints, shared_->tls.get(), sink_, options_.health->loop(i)));
  }
}

// Users begin in the order they were prepared, one ramp step apart: the
// ramp spans every user this worker holds, those taken over included.
void UserEngine::start(std::chrono::steady_clock::time_point go) {
  if (loops_.empty()) {
    throw std::logic_error("UserEngine::start before prepare");
  }
  started_ = true;
  for (auto& loop : loops_) {
    loop->context.go = go;
  }
  auto step = options_.ramp / std::max<std::size_t>(1, users_);
  for (std::size_t position = 0; position < users_; ++position) {
    auto& loop = *loops_[position % loops_.size()];
    loop.users[position / loops_.size()]->begin(go + step * position);
  }
  for (auto& loop : loops_) {
    loop->ticker.start();
    threads_.emplace_back([&context = loop->context] { run_loop(context); });
  }
}

WorkerSummary UserEngine::wait() {
  for (auto& thread : threads_) {
    thread.join();
  }
  threads_.clear();
  WorkerSummary total;
  for (const auto& loop : loops_) {
    loop->ticker.finish();  // the loop threads are gone: this thread may touch their buffers
    total.merge(loop->context.tally);
  }
  return total;
}

GrantedTokens UserEngine::take_granted_tokens() {
  GrantedTokens tokens;
  for (auto& loop : loops_) {
    for (auto& [user, token] : loop->context.granted) {
      tokens.insert_or_assign(user, std::move(token));
    }
    loop->context.granted = {};
  }
  return tokens;
}

void UserEngine::abort(const std::string& reason) {
  for (auto& loop : loops_) {
    boost::asio::post(loop->context.ioc, [&users = loop->users, reason] {
      for (auto& user : users) {
        user->abort(reason);
      }
    });
  }
}

}  // namespace cast::worker
