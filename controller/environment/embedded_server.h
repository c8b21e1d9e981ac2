#pragma once

// Internal to controller/environment: one private server of the embedded
// environment, launched on fresh loopback ports and probed until it answers.

#include "common/process/child_process.h"
#include "controller/environment/environment.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

namespace cast::controller::environment_detail {

class EmbeddedServer {
 public:
  EmbeddedServer(std::string name, std::filesystem::path folder, std::filesystem::path log_file);
  virtual ~EmbeddedServer() = default;

  const std::string& name() const { return name_; }
  // Starts work that may run while the other servers launch (PostgreSQL's
  // initdb). Call from the thread that will call launch().
  virtual void begin() {}
  // False while begin()'s work still runs; throws EnvironmentError if it failed.
  virtual bool ready_to_launch() { return true; }
  bool launched() const { return process_ != nullptr; }
  // Picks fresh ports and spawns the server. Call from a long-lived thread.
  void launch();
  // One quick probe: true once the server answers and is ours, not another
  // process that took the port between our pick and its bind.
  virtual bool answers() = 0;
  // Runs once after answers(): creates what the URL names.
  virtual void prepare() {}
  // Fills in this server's field of `urls`.
  virtual void publish_url(ServiceUrls& urls) const = 0;

  ChildProcess& process() { return *process_; }
  pid_t pid() const { return process_ ? process_->pid() : -1; }
  // "PostgreSQL on 127.0.0.1:41234 in /tmp/cast-env-x: <log tail>" for errors.
  std::string describe_failure(const std::string& what) const;
  // Sends the stop signal without waiting, so that servers stop in parallel.
  void request_stop();
  void stop(std::chrono::milliseconds grace);

 protected:
  virtual ProcessSpec next_launch() = 0;     // picks new ports each time
  virtual std::string endpoint() const = 0;  // "127.0.0.1:PORT" as launched
  virtual std::filesystem::path error_log() const { return log_file_; }
  // Everything a server holds is thrown away with the folder right after it
  // stops, so a server may stop the quickest way it has.
  virtual int stop_signal() const { return SIGTERM; }

  std::filesystem::path folder_;
  std::filesystem::path log_file_;

 private:
  std::string name_;
  std::unique_ptr<ChildProcess> process_;
};

// The last `lines` lines of a text file, or a note that it cannot be read.
std::string log_tail(const std::filesystem::path& file, std::size_t lines = 15);

// Each server lays out its files in its own subfolder of `folder`.
std::unique_ptr<EmbeddedServer> make_postgres_server(const std::filesystem::path& folder,
                                                     const EnvironmentOptions& options);
std::unique_ptr<EmbeddedServer> make_redis_server(const std::filesystem::path& folder);
std::unique_ptr<EmbeddedServer> make_clickhouse_server(const std::filesystem::path& folder);

}  // namespace cast::controller::environment_detail
