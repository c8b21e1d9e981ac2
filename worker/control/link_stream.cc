#include "worker/control/link_stream.h"

#include <spdlog/spdlog.h>

#include "common/sync/happens_before.h"

namespace cast::worker {

void LinkStream::start(cast::v1::Control::Stub& stub) {
  stub.async()->Attach(&context_, this);
  AddHold();
  CAST_HAPPENS_BEFORE(this);
  StartRead(&incoming_);
  StartCall();
  pump();
}

void LinkStream::pump() {
  LinkPeer::Next next = LinkPeer::Next::nothing;
  UnsentEvents events;
  {
    std::lock_guard lock(mutex_);
    if (writing_ || writes_over_) {
      return;
    }
    next = peer_.next_write(*this, outgoing_, events);
    if (next == LinkPeer::Next::nothing) {
      return;
    }
    writing_ = true;
    writes_over_ = next == LinkPeer::Next::writes_done;
  }
  // writing_ makes outgoing_ ours alone until the write completes, so the
  // copy needs no lock. gRPC may run reactions inline from these calls,
  // hence no lock held here either.
  if (!events.empty()) {
    events.copy_into(*outgoing_.mutable_events());
  }
  CAST_HAPPENS_BEFORE(this);
  if (next == LinkPeer::Next::message) {
    StartWrite(&outgoing_);
  } else {
    StartWritesDone();
  }
}

void LinkStream::OnReadDone(bool ok) {
  ReactionScope reaction(this);
  if (!ok) {
    // The call is over (finished by the controller, or broken): no more writes.
    {
      std::lock_guard lock(mutex_);
      writes_over_ = true;
    }
    release_or_pump();
    return;
  }
  try {
    peer_.on_message(*this, std::move(incoming_));
  } catch (const std::exception& error) {
    spdlog::error("control link: handling a controller message failed: {}", error.what());
  }
  incoming_.Clear();
  CAST_HAPPENS_BEFORE(this);
  StartRead(&incoming_);
  pump();
}

void LinkStream::OnWriteDone(bool ok) {
  ReactionScope reaction(this);
  write_completed(ok);
}

void LinkStream::OnWritesDoneDone(bool ok) {
  ReactionScope reaction(this);
  write_completed(ok);
}

void LinkStream::write_completed(bool ok) {
  {
    std::lock_guard lock(mutex_);
    writing_ = false;
    writes_over_ = writes_over_ || !ok;
  }
  release_or_pump();
}

// Once no write is in flight and none may follow, the hold goes, so that gRPC
// can finish the call; until then, keep writing what has accumulated.
void LinkStream::release_or_pump() {
  bool release = false;
  {
    std::lock_guard lock(mutex_);
    if (writes_over_ && !writing_ && !hold_released_) {
      hold_released_ = release = true;
    }
  }
  if (release) {
    CAST_HAPPENS_BEFORE(this);
    RemoveHold();
  } else {
    pump();
  }
}

void LinkStream::OnDone(const grpc::Status& status) {
  // gRPC runs OnDone after every other reaction has returned.
  CAST_HAPPENS_AFTER(this);
  // The peer may drop the last reference here: nothing may follow this call.
  peer_.on_done(*this, status);
}

}  // namespace cast::worker
