#include "reference/store/redis_context_cache.h"

#include <hiredis/hiredis.h>

#include <stdexcept>
#include <vector>

#include "common/net/redacted_url.h"
#include "common/net/url.h"
#include "reference/store/context_hash.h"
#include "reference/store/in_flight.h"

namespace cast::reference {

struct RedisConnection {
  redisContext* context{nullptr};
  RedisConnection() = default;
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;
  ~RedisConnection() {
    if (context != nullptr) {
      redisFree(context);
    }
  }
};

namespace {

constexpr timeval connect_timeout{5, 0};
constexpr timeval io_timeout{10, 0};

// The socket failed: the connection is unusable and must not go back to the pool.
class ConnectionBroken : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

void append(redisContext* context, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  if (redisAppendCommandArgv(context, static_cast<int>(argv.size()), argv.data(), lengths.data()) != REDIS_OK) {
    throw ConnectionBroken(context->errstr);
  }
}

// Puts every appended command on the wire without reading any reply.
void flush_output(redisContext* context) {
  int done = 0;
  while (done == 0) {
    if (redisBufferWrite(context, &done) != REDIS_OK) {
      throw ConnectionBroken(context->errstr);
    }
  }
}

Reply next_reply(redisContext* context) {
  void* raw = nullptr;
  if (redisGetReply(context, &raw) != REDIS_OK || raw == nullptr) {
    throw ConnectionBroken(context->err != 0 ? context->errstr : "no reply");
  }
  Reply reply(static_cast<redisReply*>(raw));
  if (reply->type == REDIS_REPLY_ERROR) {
    throw std::runtime_error(std::string(reply->str, reply->len));
  }
  return reply;
}

void run_command(redisContext* context, const std::vector<std::string>& args) {
  append(context, args);
  next_reply(context);
}

std::vector<std::string> hset_command(const std::string& key, const HashFields& fields) {
  std::vector<std::string> args{"HSET", key};
  for (const auto& [name, value] : fields) {
    args.push_back(name);
    args.push_back(value);
  }
  return args;
}

std::optional<nlohmann::json> context_from(const redisReply& reply) {
  if (reply.type != REDIS_REPLY_ARRAY || reply.elements % 2 != 0) {
    throw std::runtime_error("unexpected reply type " + std::to_string(reply.type) + " to HGETALL");
  }
  if (reply.elements == 0) {
    return std::nullopt;
  }
  HashFields fields;
  for (std::size_t i = 0; i + 1 < reply.elements; i += 2) {
    const auto* name = reply.element[i];
    const auto* value = reply.element[i + 1];
    fields.emplace_back(std::string(name->str, name->len), std::string(value->str, value->len));
  }
  return hash_to_context(fields);
}

}  // namespace

RedisContextCache::RedisContextCache(std::string url, int pool_size)
    : url_(std::move(url)),
      shown_url_(redacted_url(url_)),
      reads_(static_cast<std::size_t>(pool_size), [this] { return open_connection(); }),
      writes_(static_cast<std::size_t>(pool_size), [this] { return open_connection(); }) {
  auto connection = writes_.acquire();
  try {
    run_command(connection->context, {"PING"});
  } catch (const std::exception& error) {
    connection.discard();
    fail("PING", error.what());
  }
}

RedisContextCache::~RedisContextCache() = default;

std::unique_ptr<RedisConnection> RedisContextCache::open_connection() const {
  Url url;
  try {
    url = parse_url(url_);
  } catch (const std::exception& error) {
    fail("connect", error.what());
  }
  auto connection = std::make_unique<RedisConnection>();
  connection->context = redisConnectWithTimeout(url.host.c_str(), url.port, connect_timeout);
  auto* context = connection->context;
  if (context == nullptr || context->err != 0) {
    fail("connect", context != nullptr ? context->errstr : "cannot allocate a hiredis context");
  }
  try {
    redisSetTimeout(context, io_timeout);
    if (!url.password.empty()) {
      run_command(context, url.user.empty() ? std::vector<std::string>{"AUTH", url.password}
                                            : std::vector<std::string>{"AUTH", url.user, url.password});
    }
    if (url.path.size() > 1) {
      run_command(context, {"SELECT", url.path.substr(1)});
    }
  } catch (const std::exception& error) {
    fail("connect", error.what());
  }
  return connection;
}

void RedisContextCache::fail(const std::string& command, const std::string& what) const {
  throw std::runtime_error("redis store at " + shown_url_ + ": " + command + ": " + without_passwords_of(url_, what));
}

void RedisContextCache::put_context(const std::string& context_key, const std::string& user_agents_key,
                                    const std::string& agent_id, const nlohmann::json& context) {
  const auto fields = context_to_hash(context);
  auto connection = writes_.acquire();
  try {
    // Pipelined: both commands go out before either reply is read.
    append(connection->context, hset_command(context_key, fields));
    append(connection->context, {"SADD", user_agents_key, agent_id});
    next_reply(connection->context);
    next_reply(connection->context);
  } catch (const std::exception& error) {
    // Broken, or an error reply left the second reply unread: out of step either way.
    connection.discard();
    fail("HSET+SADD " + context_key, error.what());
  }
}

std::optional<nlohmann::json> RedisContextCache::read_context(const ContextRead& read) {
  auto connection = reads_.acquire();
  try {
    append(connection->context, {"HGETALL", read.key});
    flush_output(connection->context);
    const bool gone = hold_in_flight(read);
    if (gone && read.abandon_reply_if_gone) {
      return std::nullopt;  // the lease goes back to the pool with the reply unread
    }
    // Whatever is first on this connection: our reply, or one abandoned before us.
    const auto reply = next_reply(connection->context);
    if (gone) {
      return std::nullopt;
    }
    return context_from(*reply);
  } catch (const std::exception& error) {
    // Whatever failed, the connection may hold a reply nobody asked to leave
    // behind: only the fault may do that, so start afresh.
    connection.discard();
    fail("HGETALL " + read.key, error.what());
  }
}

}  // namespace cast::reference
