#pragma once

// A bounded pool of connections opened lazily, shared by the PostgreSQL and
// Redis stores. The connection released last is handed out first: that
// keeps few connections warm and, for cancel_corruption, makes a connection
// returned with an unread reply the very next one in use.

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace cast::reference {

template <typename Connection>
class ConnectionPool {
 public:
  using Opener = std::function<std::unique_ptr<Connection>()>;

  // Hands a connection back to the pool when it goes out of scope.
  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<Connection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)), connection_(std::move(other.connection_)) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease() {
      if (pool_ != nullptr) {
        pool_->give_back(std::move(connection_));
      }
    }
    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_.get(); }
    // The connection is broken: close it; the pool opens a fresh one when needed.
    void discard() { connection_.reset(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  ConnectionPool(std::size_t capacity, Opener open) : capacity_(capacity < 1 ? 1 : capacity), open_(std::move(open)) {}

  // Blocks while every connection is leased; opens a new one (outside the
  // lock) while fewer than `capacity` exist. An opener's exception propagates.
  Lease acquire() {
    std::unique_lock lock(mutex_);
    returned_.wait(lock, [this] { return !idle_.empty() || open_count_ < capacity_; });
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection));
    }
    ++open_count_;
    lock.unlock();
    try {
      return Lease(this, open_());
    } catch (...) {
      give_back(nullptr);
      throw;
    }
  }

  std::size_t open_count() const {
    std::lock_guard lock(mutex_);
    return open_count_;
  }

 private:
  void give_back(std::unique_ptr<Connection> connection) {
    {
      std::lock_guard lock(mutex_);
      if (connection) {
        idle_.push_back(std::move(connection));
      } else {
        --open_count_;
      }
    }
    returned_.notify_one();
  }

  const std::size_t capacity_;
  Opener open_;
  mutable std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_count_{0};  // idle plus leased
};

}  // namespace cast::reference
