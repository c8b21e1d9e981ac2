#include "common/process/loopback_port.h"
#include "controller/environment/cluster_template.h"
#include "controller/environment/embedded_server.h"

#include <spdlog/spdlog.h>
#include <pqxx/pqxx>

#include <optional>

#include <pwd.h>
#include <unistd.h>

namespace cast::controller::environment_detail {
namespace {

using namespace std::chrono_literals;

constexpr const char* postgres_bin = "/usr/lib/postgresql/15/bin/";
constexpr const char* superuser = "cast";
constexpr const char* major_version = "15";

// Everything but the data folder; part of the template's key.
std::vector<std::string> initdb_args() {
  return {"-U", superuser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"};
}

struct SystemUser {
  std::string name;  // empty: run as ourselves
  uid_t uid{0};
  gid_t gid{0};
};

// PostgreSQL refuses to run as root, so as root it runs as `name`.
SystemUser server_user(const std::string& name) {
  if (::geteuid() != 0) {
    return {};
  }
  const passwd* entry = ::getpwnam(name.c_str());
  if (!entry) {
    throw EnvironmentError("PostgreSQL: running as root and there is no system user '" + name +
                           "' to run the server as");
  }
  return {name, entry->pw_uid, entry->pw_gid};
}

class PostgresServer : public EmbeddedServer {
 public:
  PostgresServer(const std::filesystem::path& folder, const EnvironmentOptions& options)
      : EmbeddedServer("PostgreSQL", folder / "postgres", folder / "postgres.log"),
        user_(server_user(options.postgres_system_user)),
        max_connections_(options.postgres_max_connections) {
    if (!options.postgres_template_cache.empty()) {
      cache_.emplace(options.postgres_template_cache, major_version,
                     cluster_key(postgres_bin, initdb_args(), user_.name.empty() ? ::geteuid() : user_.uid,
                                 user_.name.empty() ? ::getegid() : user_.gid));
    }
    std::filesystem::create_directories(folder_);
    if (!user_.name.empty()) {
      // The server user must reach its folder: traverse ours, own its own.
      std::filesystem::permissions(folder, std::filesystem::perms::owner_all | std::filesystem::perms::group_exec |
                                               std::filesystem::perms::others_exec);
      if (::chown(folder_.c_str(), user_.uid, user_.gid) != 0) {
        throw EnvironmentError("PostgreSQL: cannot chown " + folder_.string() + " to " + user_.name);
      }
    }
  }

  bool answers() override {
    try {
      pqxx::connection connection(admin_url("postgres"));
      pqxx::nontransaction query(connection);
      return query.exec("SHOW data_directory")[0][0].as<std::string>() == data_dir().string();
    } catch (const std::exception&) {
      return false;  // refused, or still starting up
    }
  }

  void prepare() override {
    pqxx::connection connection(admin_url("postgres"));
    pqxx::nontransaction query(connection);
    query.exec("CREATE DATABASE \"cast\"");  // quoted: CAST is a keyword
  }

  void publish_url(ServiceUrls& urls) const override {
    urls.postgres = std::string("postgresql://") + superuser + "@127.0.0.1:" + std::to_string(port_) + "/cast";
  }

 protected:
  // The data folder is made while the other servers launch (a copy of the
  // cached template, or initdb, then a copy into the cache for next time);
  // the server itself launches once it is done.
  void begin() override {
    preparation_deadline_ = std::chrono::steady_clock::now() + 60s;
    if (cache_) {
      if (auto cluster = cache_->find()) {
        return start_step(Step::copying_template, copy_tree(*cluster, data_dir(), log_file_));
      }
    }
    start_initdb();
  }

  bool ready_to_launch() override {
    if (step_ == Step::done) {
      return true;
    }
    if (!child_) {
      begin();
    }
    auto status = child_->wait_for(0ms);
    if (!status) {
      if (std::chrono::steady_clock::now() > preparation_deadline_) {
        throw EnvironmentError(describe_failure(std::string(step_name()) + " did not finish in 60 s"));
      }
      return false;
    }
    child_.reset();
    finish_step(*status);
    return step_ == Step::done;
  }
  ProcessSpec next_launch() override {
    port_ = free_loopback_port();
    // Throwaway data: durability off; dynamic shared memory as files in the
    // data folder, so that nothing is left in /dev/shm after a SIGKILL.
    return {.program = std::string(postgres_bin) + "postgres",
            .args = {"-D", data_dir().string(),
                     "-p", std::to_string(port_),
                     "-c", "listen_addresses=127.0.0.1",
                     "-c", "unix_socket_directories=" + folder_.string(),
                     "-c", "fsync=off",
                     "-c", "synchronous_commit=off",
                     "-c", "full_page_writes=off",
                     "-c", "shared_buffers=32MB",
                     "-c", "max_connections=" + std::to_string(max_connections_),
                     "-c", "dynamic_shared_memory_type=mmap",
                     "-c", "logging_collector=off"},
            .working_dir = folder_,
            .run_as_user = user_.name};
  }

  std::string endpoint() const override { return "127.0.0.1:" + std::to_string(port_); }

  // SIGQUIT is PostgreSQL's immediate shutdown: no shutdown checkpoint for a
  // cluster that is deleted next; the postmaster still releases its memory.
  int stop_signal() const override { return SIGQUIT; }

 private:
  enum class Step { copying_template, initdb, storing_template, done };

  const char* step_name() const {
    switch (step_) {
      case Step::copying_template: return "copying the cluster template";
      case Step::initdb: return "initdb";
      case Step::storing_template: return "storing the cluster template";
      default: return "preparing";
    }
  }

  void start_step(Step step, const ProcessSpec& spec) {
    step_ = step;
    step_started_ = std::chrono::steady_clock::now();
    try {
      child_ = std::make_unique<ChildProcess>(spec);
    } catch (const ProcessError& error) {
      throw EnvironmentError(describe_failure(error.what()));
    }
  }

  void start_initdb() {
    auto args = initdb_args();
    args.insert(args.begin(), {"-D", data_dir().string()});
    start_step(Step::initdb, {.program = std::string(postgres_bin) + "initdb",
                              .args = args,
                              .working_dir = folder_,
                              .run_as_user = user_.name,
                              .log_file = log_file_});
  }

  // A failed copy of the template costs only the initdb it was to save; a
  // failed store only the next run's.
  void finish_step(const ExitStatus& status) {
    spdlog::debug(
        "PostgreSQL: {} took {} ms ({})", step_name(),
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - step_started_).count(),
        status.describe());
    if (step_ == Step::copying_template) {
      if (status.success()) return void(step_ = Step::done);
      spdlog::warn("PostgreSQL: copying the template {} failed ({}); running initdb", cache_->entry().string(),
                   status.describe());
      std::error_code ignored;
      std::filesystem::remove_all(data_dir(), ignored);
      return start_initdb();
    }
    if (step_ == Step::initdb) {
      if (!status.success()) throw EnvironmentError(describe_failure("initdb " + status.describe()));
      auto store = cache_ ? cache_->begin_store(data_dir(), log_file_) : std::nullopt;
      if (!store) return void(step_ = Step::done);
      return start_step(Step::storing_template, *store);
    }
    if (status.success()) {
      cache_->commit();
    } else {
      spdlog::warn("PostgreSQL: storing the template failed ({}); the next run runs initdb", status.describe());
      cache_->abandon();
    }
    step_ = Step::done;
  }

  std::filesystem::path data_dir() const { return folder_ / "data"; }

  std::string admin_url(const std::string& database) const {
    return std::string("postgresql://") + superuser + "@127.0.0.1:" + std::to_string(port_) + "/" + database +
           "?connect_timeout=2";
  }

  SystemUser user_;
  int max_connections_;
  std::uint16_t port_{0};
  std::unique_ptr<ChildProcess> child_;  // the preparation step running now
  Step step_{Step::initdb};
  std::chrono::steady_clock::time_point step_started_;
  std::chrono::steady_clock::time_point preparation_deadline_;
  std::optional<ClusterTemplate> cache_;
};

}  // namespace

std::unique_ptr<EmbeddedServer> make_postgres_server(const std::filesystem::path& folder,
                                                     const EnvironmentOptions& options) {
  return std::make_unique<PostgresServer>(folder, options);
}

}  // namespace cast::controller::environment_detail
