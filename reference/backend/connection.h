#pragma once

// Open WebSocket sessions as the agent platform sees them: who is on the
// other end, and a thread-safe way to send them a frame. The registry spans
// every event-loop thread, which misroute and broadcast need.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace cast::reference {

// Who a verified token names.
struct Identity {
  std::string user_id;    // sub
  std::string tenant_id;  // tid
  std::string email;
  std::string run_id;  // rid; empty when the token request named none
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual const Identity& identity() const = 0;
  // Queues a text frame; callable from any thread; dropped once the connection is gone.
  virtual void deliver(std::string frame) = 0;
  // Closes the connection from the server side (drop_connections); any thread.
  virtual void drop() = 0;
  // True once the client has gone or the connection was closed; any thread.
  virtual bool gone() const = 0;
};

class ConnectionRegistry {
 public:
  std::uint64_t add(const std::shared_ptr<Connection>& connection);
  void remove(std::uint64_t id);
  std::size_t size() const;
  // A live connection of a user other than `user_id`, picked by `pick(n)` in [0, n); null when none.
  std::shared_ptr<Connection> someone_else(const std::string& user_id,
                                           const std::function<std::size_t(std::size_t)>& pick) const;
  std::vector<std::shared_ptr<Connection>> everyone() const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> connections_;
  std::uint64_t next_id_{1};
};

}  // namespace cast::reference
