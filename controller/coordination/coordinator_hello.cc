// A worker's Hello at the coordinator: whether it may attach (a worker id,
// the token in constant time, then the ledger's admission under the lock
// that attaches), and the greeting that brings a new or reattaching worker
// up to date (Ack, Ping, and whatever it still needs of the run). Apart
// from coordinator_core.cc, which handles the messages after the Hello.
#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include "controller/coordination/coordinator_core.h"

namespace cast::controller {
namespace {

EndCode status_of(RefusalKind kind) {
  switch (kind) {
    case RefusalKind::bad_hello: return EndCode::invalid_argument;
    case RefusalKind::beyond_expected: return EndCode::resource_exhausted;
    case RefusalKind::duplicate_id: return EndCode::already_exists;
    case RefusalKind::other_version:
    case RefusalKind::late:
    case RefusalKind::given_up: return EndCode::failed_precondition;
  }
  return EndCode::unauthenticated;
}

bool token_matches(const std::string& expected, const std::string& given) {
  return expected.size() == given.size() && CRYPTO_memcmp(expected.data(), given.data(), given.size()) == 0;
}

}  // namespace

void Coordinator::Core::on_hello(StreamEnd& stream, const cast::v1::Hello& hello) {
  if (refused(stream, hello)) {
    return;
  }
  std::vector<ControllerMessage> replies;
  StreamPtr superseded;
  {
    std::lock_guard lock(mutex);
    // Under the lock that attaches: two Hellos with one id may race.
    if (auto refusal = refuse_hello(ledger, hello, config.admission, go_at_us.has_value())) {
      spdlog::warn("refused worker from {}: {}", stream.peer(), refusal->reason);
      stream.end({status_of(refusal->kind), refusal->reason});
      return;
    }
    auto attachment = ledger.attach(hello);
    stream.worker_id = hello.worker_id();
    stream.generation = attachment.generation;
    superseded = std::exchange(by_worker[hello.worker_id()], live.at(&stream));
    replies = greeting(*ledger.find_mutable(hello.worker_id()), attachment.resume_after);
    spdlog::info("worker {} attached from {} (capacity {}, {}){}", hello.worker_id(), stream.peer(), hello.capacity(),
                 hello.version(), attachment.reconnect ? ", reconnected" : "");
  }
  changed.notify_all();
  if (superseded) {
    superseded->end({EndCode::aborted, "superseded by a newer stream of worker " + hello.worker_id()});
  }
  for (auto& reply : replies) {
    stream.send(std::move(reply));
  }
}

// What needs no ledger: a Hello at all, and the token (in constant time).
bool Coordinator::Core::refused(StreamEnd& stream, const cast::v1::Hello& hello) {
  if (hello.worker_id().empty()) {
    stream.end({EndCode::invalid_argument,
                "control stream from " + stream.peer() + ": the first message must be a Hello with a worker_id"});
    return true;
  }
  if (!config.auth_token.empty() && !token_matches(config.auth_token, hello.auth_token())) {
    spdlog::warn("refused a worker from {}: wrong auth token", stream.peer());
    stream.end({EndCode::unauthenticated, "auth token does not match the controller's"});
    return true;
  }
  return false;
}

// The instant is fixed when first sent: a reconnect gets the same one,
// although the clock estimate may have improved since.
ControllerMessage Coordinator::Core::go_for(TrackedWorker& record) {
  if (record.start_at_worker_us == 0 && go_at_us && record.clock.known()) {
    record.start_at_worker_us = record.clock.to_worker(*go_at_us);
  }
  ControllerMessage message;
  message.mutable_go()->set_start_offset_ms(go_offset_ms);
  message.mutable_go()->set_start_at_worker_us(record.start_at_worker_us);
  return message;
}

std::vector<ControllerMessage> Coordinator::Core::greeting(TrackedWorker& record, std::uint64_t resume_after) {
  // The Ack comes first so the worker resends only what is really missing.
  // A Ping at once, so that its clock offset is known before the go.
  std::vector<ControllerMessage> replies{ack_message(resume_after), next_ping()};
  if (record.assignment && record.state == WorkerState::assigned) {
    replies.emplace_back().mutable_assignment()->CopyFrom(*record.assignment);
    for (const auto& part : record.more_users) {
      replies.emplace_back().mutable_assignment()->CopyFrom(part);
    }
  }
  if (go_at_us && record.state == WorkerState::running) {
    replies.push_back(go_for(record));
  }
  // The worker ignores a round it already holds, so re-sending is safe.
  if (record.probe_plan && record.state == WorkerState::probing) {
    replies.emplace_back().mutable_probe_plan()->CopyFrom(*record.probe_plan);
  }
  if (aborted) {
    replies.push_back(*aborted);
  }
  if (released) {
    replies.push_back(*released);
  }
  return replies;
}

}  // namespace cast::controller
