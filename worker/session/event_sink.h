#pragma once

#include "cast_control.pb.h"

namespace cast::worker {

// Where virtual users put their events. Called from every event-loop
// thread, concurrently, once per event: an implementation must be
// thread-safe, must not block for long and must not throw. The sink assigns
// `seq`; users leave it 0.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void emit(cast::v1::Event&& event) = 0;
};

}  // namespace cast::worker
