#include "controller/coordination/coordinator.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/protocol/timeouts.h"
#include "controller/coordination/coordinator_core.h"
#include "controller/coordination/worker_stream.h"

namespace cast::controller {
namespace {

using Clock = std::chrono::steady_clock;

void log_lost(const std::vector<std::string>& lines) {
  for (const auto& line : lines) {
    spdlog::error("{}", line);
  }
}

std::string listen_address(const std::string& host, std::uint16_t port) {
  bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string describe_unready(const WorkerLedger& ledger) {
  std::string text;
  for (const auto& [id, record] : ledger.records()) {
    if (record.state == WorkerState::connected || record.state == WorkerState::assigned ||
        record.state == WorkerState::lost) {
      text += fmt::format("{}{} ({})", text.empty() ? "" : ", ", id, to_string(record.state));
    }
  }
  return text.empty() ? "no worker attached" : text;
}

std::shared_ptr<grpc::ServerCredentials> server_credentials(const ServerTls& tls) {
  if (!tls.enabled()) {
    return grpc::InsecureServerCredentials();
  }
  grpc::SslServerCredentialsOptions options(tls.client_ca.empty()
                                                ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                                                : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = tls.client_ca;
  options.pem_key_cert_pairs.push_back({tls.private_key, tls.cert_chain});
  return grpc::SslServerCredentials(options);
}

void tune_server(grpc::ServerBuilder& builder, const CoordinatorConfig& config) {
  builder.SetMaxReceiveMessageSize(static_cast<int>(config.bounds.max_message_bytes));
  // A fixed port must not be shared silently with another controller.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // Workers ping while idle so that a vanished host is noticed; allow it.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 1'000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  const auto keepalive_ms = static_cast<int>(defaults::kControlKeepalive.count());
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, keepalive_ms);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, keepalive_ms);
}

}  // namespace

Coordinator::Core::Core(CoordinatorConfig config_in, EventSink sink_in)
    : config(std::move(config_in)), sink(std::move(sink_in)) {}

Coordinator::Core::~Core() = default;

void Coordinator::Core::adopt(StreamPtr stream) {
  std::lock_guard lock(mutex);
  live.emplace(stream.get(), std::move(stream));
}

Coordinator::Coordinator(CoordinatorConfig config, EventSink sink)
    : core_(std::make_unique<Core>(std::move(config), std::move(sink))) {}

Coordinator::~Coordinator() { shutdown(); }

std::uint16_t Coordinator::start() {
  Core& core = *core_;
  core.service = std::make_unique<ControlService>(core, core.config.bounds,
                                                  [&core](std::shared_ptr<StreamEnd> stream) { core.adopt(stream); });
  std::string address = listen_address(core.config.listen_host, core.config.port);
  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(address, server_credentials(core.config.tls), &bound_port);
  builder.RegisterService(core.service.get());
  tune_server(builder, core.config);
  core.server = builder.BuildAndStart();
  if (!core.server || bound_port == 0) {
    throw CoordinationError("controller cannot listen for workers on " + address);
  }
  spdlog::info("controller listening for workers on {}{}", listen_address(core.config.listen_host, bound_port),
               !core.config.tls.enabled()          ? " (plaintext)"
               : core.config.tls.client_ca.empty() ? " (TLS)"
                                                   : " (mutual TLS)");
  core.start_liveness();
  return static_cast<std::uint16_t>(bound_port);
}

std::vector<WorkerSnapshot> Coordinator::wait_for_workers(std::size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(core_->mutex);
  if (!core_->changed.wait_for(lock, timeout, [&] { return core_->ledger.size() >= count; })) {
    throw CoordinationError(
        fmt::format("only {} of {} workers attached within {} ms", core_->ledger.size(), count, timeout.count()));
  }
  return core_->snapshots();
}

void Coordinator::assign(const std::string& worker_id, cast::v1::Assignment assignment) {
  ControllerMessage message;
  Core::StreamPtr stream;
  {
    std::lock_guard lock(core_->mutex);
    if (!core_->ledger.assign(worker_id, assignment)) {
      throw CoordinationError("cannot assign users to unknown worker " + worker_id);
    }
    *message.mutable_assignment() = std::move(assignment);
    auto it = core_->by_worker.find(worker_id);
    if (it != core_->by_worker.end()) {
      stream = it->second;
    }
  }
  // Once per part, so the log shows when each worker's users went out (a
  // test waits for it to lose a worker between its assignment and the go).
  spdlog::info("worker {} assigned {} user(s) (assignment part {}){}", worker_id, message.assignment().users_size(),
               message.assignment().part(), stream ? "" : ", held until it reattaches");
  // A worker that is away right now gets the assignment when it reattaches.
  if (stream) {
    stream->send(std::move(message));
  }
}

std::vector<std::string> Coordinator::wait_for_ready(std::chrono::milliseconds timeout) {
  std::unique_lock lock(core_->mutex);
  auto ready = [&] { return core_->ledger.size() > 0 && core_->ledger.all_ready(); };
  if (!core_->changed.wait_for(lock, timeout, ready)) {
    throw CoordinationError(
        fmt::format("workers not ready within {} ms: {}", timeout.count(), describe_unready(core_->ledger)));
  }
  std::vector<std::string> given_up;
  for (const auto& [id, record] : core_->ledger.records()) {
    if (record.given_up) given_up.push_back(id);
  }
  if (given_up.size() == core_->ledger.size()) {
    throw CoordinationError("every worker was lost before the go");
  }
  return given_up;
}

Clock::time_point Coordinator::broadcast_go(std::chrono::milliseconds start_offset) {
  // The greeting's Ping and the next one: a second sample may have the
  // shorter round trip. A worker still unmeasured then starts by the offset.
  auto two_pings = std::min<std::chrono::milliseconds>(2 * core_->config.ping_interval, std::chrono::seconds{1});
  core_->wait_for_clocks(2, two_pings + std::chrono::milliseconds{250});
  auto at = Clock::now() + start_offset;
  std::vector<std::pair<Core::StreamPtr, ControllerMessage>> sends;
  {
    std::lock_guard lock(core_->mutex);
    core_->go_offset_ms = static_cast<std::uint32_t>(start_offset.count());
    core_->go_at_us = std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count();
    core_->ledger.mark_running();
    for (const auto& [id, stream] : core_->by_worker) {
      sends.emplace_back(stream, core_->go_for(*core_->ledger.find_mutable(id)));
    }
  }
  for (auto& [stream, message] : sends) {
    stream->send(std::move(message));
  }
  return at;
}

bool Coordinator::wait_for_finish(std::chrono::milliseconds timeout) {
  return core_->wait_until(timeout, [this](Clock::time_point now) {
    // The grace that lets the wait end gives the worker up here, not at the
    // next liveness tick: a run that ends on a worker's grace must find it
    // given up, or its unfinished users would never be counted as lost.
    log_lost(core_->give_up_overdue(now));
    return core_->ledger.all_finished(now, core_->config.reconnect_grace);
  });
}

void Coordinator::send_probe_plan(const std::string& worker_id, cast::v1::ProbePlan plan) {
  ControllerMessage message;
  *message.mutable_probe_plan() = plan;
  Core::StreamPtr stream;
  {
    std::lock_guard lock(core_->mutex);
    if (!core_->ledger.plan_probes(worker_id, std::move(plan))) {
      throw CoordinationError("cannot send a probe plan to unknown worker " + worker_id);
    }
    auto it = core_->by_worker.find(worker_id);
    if (it != core_->by_worker.end()) {
      stream = it->second;
    }
  }
  core_->changed.notify_all();
  // A worker that is away right now gets the plan when it reattaches.
  if (stream) {
    stream->send(std::move(message));
  }
}

bool Coordinator::wait_for_probes(std::uint32_t round, std::chrono::milliseconds timeout) {
  return core_->wait_until(timeout, [this, round](Clock::time_point now) {
    log_lost(core_->give_up_overdue(now));  // as in wait_for_finish
    return core_->ledger.all_probed(round, now, core_->config.reconnect_grace);
  });
}

void Coordinator::release(const std::string& reason) {
  ControllerMessage message;
  message.mutable_release()->set_reason(reason);
  {
    std::lock_guard lock(core_->mutex);
    core_->released = message;
  }
  core_->broadcast(message);
}

void Coordinator::abort(const std::string& reason) {
  ControllerMessage message;
  message.mutable_abort()->set_reason(reason);
  {
    std::lock_guard lock(core_->mutex);
    core_->aborted = message;
  }
  spdlog::warn("aborting the run on every worker: {}", reason);
  core_->broadcast(message);
}

std::vector<WorkerSnapshot> Coordinator::workers() const {
  std::lock_guard lock(core_->mutex);
  return core_->snapshots();
}

void Coordinator::shutdown() {
  std::vector<Core::StreamPtr> streams;
  {
    std::lock_guard lock(core_->mutex);
    if (core_->shutting_down) {
      return;
    }
    core_->shutting_down = true;
    core_->liveness_stop = true;
    for (const auto& [raw, stream] : core_->live) {
      streams.push_back(stream);
    }
  }
  for (const auto& stream : streams) {
    // OK: a worker that has sent everything takes a clean end for the
    // Release; a broken stream (a dead controller) it does not.
    stream->end({EndCode::ok, "controller shutting down"});
  }
  streams.clear();
  core_->stop_liveness();
  if (core_->server) {
    core_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    core_->server->Wait();
  }
  std::unique_lock lock(core_->mutex);
  core_->changed.wait_for(lock, std::chrono::seconds(5), [&] { return core_->live.empty(); });
}

}  // namespace cast::controller
