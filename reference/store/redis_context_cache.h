#pragma once

#include "reference/store/connection_pool.h"
#include "reference/store/stores.h"

namespace cast::reference {

// One hiredis synchronous connection; defined in the .cc so that hiredis
// stays out of this header.
struct RedisConnection;

// Live contexts in Redis (hiredis 0.14, sync API). Reads and writes use two
// separate bounded pools, so a connection left with an unread reply by
// cancel_corruption is only ever picked up by the next *read*, the way the
// fault is specified, and never desynchronises a write.
class RedisContextCache : public ContextCache {
 public:
  // Connects once and PINGs; throws std::runtime_error naming the URL
  // (without password) when Redis does not answer.
  RedisContextCache(std::string url, int pool_size);  // pool_size: connections per pool
  ~RedisContextCache() override;

  void put_context(const std::string& context_key, const std::string& user_agents_key, const std::string& agent_id,
                   const nlohmann::json& context) override;
  std::optional<nlohmann::json> read_context(const ContextRead& read) override;

 private:
  std::unique_ptr<RedisConnection> open_connection() const;
  [[noreturn]] void fail(const std::string& command, const std::string& what) const;

  std::string url_;
  std::string shown_url_;  // url_ without password
  ConnectionPool<RedisConnection> reads_;
  ConnectionPool<RedisConnection> writes_;
};

}  // namespace cast::reference
