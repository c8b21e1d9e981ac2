#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "worker/session/event_sink.h"
#include "worker/session/granted_tokens.h"
#include "worker/session/loop_health.h"
#include "worker/session/run_setup.h"
#include "worker/session/worker_summary.h"

namespace cast::worker {

struct EngineOptions {
  unsigned threads{1};                // event loops, one thread and io_context each
  std::chrono::microseconds ramp{0};  // the users' starts spread evenly over this, microseconds; 0: all at go
  HealthBoard* health{nullptr};       // where the loops report lag and counters; null: the engine keeps its own
};

// Runs a worker's virtual users: users are dealt round-robin to the loops
// up front, each loop is one thread with its own io_context, and nothing
// is shared between loops while they run except the EventSink, which each
// loop feeds a batch at a time from its own ticker.
//
//   UserEngine engine(setup, sink, {.threads = 2});
//   engine.prepare(users);          // not measured: resolves the URLs
//   engine.start(go);               // every user due at go (+ ramp)
//   auto summary = engine.wait();   // when every user is done or failed
class UserEngine {
 public:
  UserEngine(RunSetup setup, EventSink& sink, EngineOptions options = {});
  ~UserEngine();  // aborts and joins the loops if they still run
  UserEngine(const UserEngine&) = delete;
  UserEngine& operator=(const UserEngine&) = delete;

  // Resolves the platform URLs (the first time) and builds the users;
  // returns how many are ready. Throws (ResolveError, UrlError,
  // std::invalid_argument) naming the URL that cannot be used. Call before
  // start(), and again for users dealt to this worker later (taken over
  // from a worker lost before the go), who join the same loops.
  std::size_t prepare(const std::vector<cast::v1::UserSpec>& users);
  // Schedules every user and starts the loop threads; returns at once.
  void start(std::chrono::steady_clock::time_point go);
  // Blocks until every user has finished; the loops' counters merged.
  WorkerSummary wait();
  // After wait(): the tokens the users were granted, moved out of the loops.
  GrantedTokens take_granted_tokens();
  // Fails every unfinished user with error kind "aborted". Any thread.
  void abort(const std::string& reason);

 private:
  struct Loop;
  void make_loops();

  RunSetup setup_;
  EventSink& sink_;
  EngineOptions options_;
  struct Shared;
  std::unique_ptr<Shared> shared_;
  std::unique_ptr<HealthBoard> own_health_;
  std::vector<std::unique_ptr<Loop>> loops_;
  std::size_t users_ = 0;  // prepared so far; user k runs on loop k % loops
  bool started_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace cast::worker
