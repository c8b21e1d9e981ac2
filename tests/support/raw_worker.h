#pragma once

// A worker driven by hand on the wire: a plain synchronous gRPC client
// speaking cast.v1, so tests can check every Ack, refusal and Ping exactly,
// with no link logic in between. It never answers a Ping by itself.

#include <doctest/doctest.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "cast_control.grpc.pb.h"
#include "common/protocol/control_version.h"

namespace cast::test {

// One hand-driven Attach call.
struct RawWorker {
  using Stream = grpc::ClientReaderWriter<cast::v1::WorkerMessage, cast::v1::ControllerMessage>;
  explicit RawWorker(cast::v1::Control::Stub& stub) : stream(stub.Attach(&context)) {}

  void hello(const std::string& worker_id, std::uint32_t pid = 0,
             std::uint32_t version = cast::kControlProtocolVersion) {
    cast::v1::WorkerMessage message;
    message.mutable_hello()->set_worker_id(worker_id);
    message.mutable_hello()->set_pid(pid);
    message.mutable_hello()->set_protocol_version(version);
    REQUIRE(stream->Write(message));
  }
  // False once the controller has ended the stream.
  bool send(const cast::v1::WorkerMessage& message) { return stream->Write(message); }
  // Reads until the controller ends the stream; then its status.
  grpc::Status ended() {
    cast::v1::ControllerMessage ignored;
    while (stream->Read(&ignored)) {
    }
    return stream->Finish();
  }
  // Answers Pings with Pongs, the worker's clock read as the controller's
  // plus `offset_us`, until a message other than a Ping arrives; returns it.
  cast::v1::ControllerMessage answer_pings(std::int64_t offset_us) {
    cast::v1::ControllerMessage message;
    for (;;) {
      REQUIRE(stream->Read(&message));
      if (!message.has_ping()) return message;
      cast::v1::WorkerMessage pong;
      pong.mutable_pong()->set_id(message.ping().id());
      pong.mutable_pong()->set_controller_time_us(message.ping().controller_time_us());
      auto now = std::chrono::steady_clock::now().time_since_epoch();
      pong.mutable_pong()->set_worker_time_us(std::chrono::duration_cast<std::chrono::microseconds>(now).count() +
                                              offset_us);
      REQUIRE(stream->Write(pong));
    }
  }
  void events(std::initializer_list<std::uint64_t> seqs) {
    cast::v1::WorkerMessage message;
    for (auto seq : seqs) {
      message.mutable_events()->add_events()->set_seq(seq);
    }
    REQUIRE(stream->Write(message));
  }
  // The next message that is not a Ping (the controller pings all the time).
  cast::v1::ControllerMessage next() {
    cast::v1::ControllerMessage message;
    do {
      REQUIRE(stream->Read(&message));
    } while (message.has_ping());
    return message;
  }
  std::uint64_t next_ack() {
    auto message = next();
    REQUIRE(message.has_ack());
    return message.ack().up_to();
  }

  grpc::ClientContext context;
  std::unique_ptr<Stream> stream;
};

}  // namespace cast::test
