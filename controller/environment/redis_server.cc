#include "common/process/loopback_port.h"
#include "controller/environment/embedded_server.h"

#include <hiredis/hiredis.h>

#include <memory>

namespace cast::controller::environment_detail {
namespace {

using RedisContext = std::unique_ptr<redisContext, decltype(&redisFree)>;
using RedisReply = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;

// The `process_id:` field of INFO server, or -1.
long reported_pid(const std::string& info) {
  auto at = info.find("process_id:");
  return at == std::string::npos ? -1 : std::stol(info.substr(at + 11));
}

class RedisServer : public EmbeddedServer {
 public:
  explicit RedisServer(const std::filesystem::path& folder)
      : EmbeddedServer("Redis", folder / "redis", folder / "redis.log") {
    std::filesystem::create_directories(folder_);
  }

  bool answers() override {
    RedisContext context(redisConnectWithTimeout("127.0.0.1", port_, timeval{1, 0}), &redisFree);
    if (!context || context->err) {
      return false;
    }
    RedisReply reply(static_cast<redisReply*>(redisCommand(context.get(), "INFO server")), &freeReplyObject);
    if (!reply || reply->type != REDIS_REPLY_STRING) {
      return false;  // e.g. LOADING while it starts
    }
    return reported_pid(std::string(reply->str, reply->len)) == process().pid();
  }

  void publish_url(ServiceUrls& urls) const override {
    urls.redis = "redis://127.0.0.1:" + std::to_string(port_) + "/0";
  }

 protected:
  ProcessSpec next_launch() override {
    port_ = free_loopback_port();
    // No persistence: the data lives as long as the environment.
    return {.program = "redis-server",
            .args = {"--port", std::to_string(port_), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                     "--dir", folder_.string(), "--daemonize", "no", "--logfile", "", "--maxclients", "4096"},
            .working_dir = folder_};
  }

  std::string endpoint() const override { return "127.0.0.1:" + std::to_string(port_); }

 private:
  std::uint16_t port_{0};
};

}  // namespace

std::unique_ptr<EmbeddedServer> make_redis_server(const std::filesystem::path& folder) {
  return std::make_unique<RedisServer>(folder);
}

}  // namespace cast::controller::environment_detail
