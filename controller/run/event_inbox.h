#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "cast_control.pb.h"

namespace cast::controller {

// Hands event batches from the coordinator's gRPC threads to the run loop:
// push() is all a gRPC callback does (a short lock and a move); the loop
// takes everything at once with drain().
class EventInbox {
 public:
  struct Batch {
    std::string worker_id;
    std::vector<v1::Event> events;
  };

  void push(const std::string& worker_id, std::vector<v1::Event>&& events);
  std::vector<Batch> drain();

 private:
  std::mutex mutex_;
  std::vector<Batch> pending_;
};

}  // namespace cast::controller
