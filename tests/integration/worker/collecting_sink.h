#pragma once

// An EventSink for worker tests: keeps every event, from any thread.

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "worker/session/event_sink.h"
#include "worker/session/run_setup.h"
#include "worker/session/user_engine.h"

namespace cast::test {

class CollectingSink final : public worker::EventSink {
 public:
  void emit_batch(std::vector<cast::v1::Event>&& events) override {
    std::lock_guard lock(mutex_);
    for (auto& event : events) {
      events_.push_back(std::move(event));
    }
  }

  std::vector<cast::v1::Event> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }

  std::vector<cast::v1::Event> of_user(std::uint32_t index) const {
    std::vector<cast::v1::Event> out;
    for (auto& event : events()) {
      if (event.user_index() == index) {
        out.push_back(event);
      }
    }
    return out;
  }

  std::vector<cast::v1::Event> of_kind(cast::v1::EventKind kind) const {
    std::vector<cast::v1::Event> out;
    for (auto& event : events()) {
      if (event.kind() == kind) {
        out.push_back(event);
      }
    }
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<cast::v1::Event> events_;
};

// Users u-000000.. with canaries that name them, as the controller plans them.
inline std::vector<cast::v1::UserSpec> make_user_specs(std::uint32_t count, const std::string& run_id) {
  std::vector<cast::v1::UserSpec> users;
  for (std::uint32_t i = 0; i < count; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "u-%06u", i);
    cast::v1::UserSpec user;
    user.set_index(i);
    user.set_user_id(id);
    user.set_tenant_id("t-" + std::to_string(i % 7));
    user.set_email(std::string(id) + "@" + run_id + ".cast.test");
    user.set_display_name("Tester " + std::to_string(i));
    user.set_canary("cst_" + run_id.substr(0, 8) + "_" + std::to_string(i) + "_00112233445566" +
                    std::to_string(10 + i % 90));
    user.set_request_id_prefix(std::string(id) + "-r");
    users.push_back(user);
  }
  return users;
}

// Runs `users` to the end on a fresh engine; every user due one moment from now.
inline worker::WorkerSummary run_users(const worker::RunSetup& setup, CollectingSink& sink,
                                       const std::vector<cast::v1::UserSpec>& users, unsigned threads = 2) {
  worker::UserEngine engine(setup, sink, {threads});
  engine.prepare(users);
  engine.start(std::chrono::steady_clock::now() + std::chrono::milliseconds{50});
  return engine.wait();
}

}  // namespace cast::test
