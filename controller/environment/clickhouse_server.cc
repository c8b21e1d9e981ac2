#include "common/net/http_client.h"
#include "common/net/url.h"
#include "common/process/loopback_port.h"
#include "controller/environment/embedded_server.h"

#include <fstream>

namespace cast::controller::environment_detail {
namespace {

using namespace std::chrono_literals;

// ClickHouse 18.16 speaks the old config format (<yandex> root). Every path
// points into our folder, and only the HTTP and native ports are opened
// (no interserver port, no TLS), so two environments never collide.
void write_config(const std::filesystem::path& dir, std::uint16_t http_port, std::uint16_t tcp_port) {
  std::ofstream config(dir / "config.xml");
  config << "<?xml version=\"1.0\"?>\n<yandex>\n"
         << "  <logger><level>warning</level><log>" << (dir / "server.log").string() << "</log><errorlog>"
         << (dir / "server.err.log").string() << "</errorlog></logger>\n"
         << "  <http_port>" << http_port << "</http_port>\n"
         << "  <tcp_port>" << tcp_port << "</tcp_port>\n"
         << "  <listen_host>127.0.0.1</listen_host>\n"
         << "  <path>" << (dir / "data").string() << "/</path>\n"
         << "  <tmp_path>" << (dir / "tmp").string() << "/</tmp_path>\n"
         << "  <user_files_path>" << (dir / "user_files").string() << "/</user_files_path>\n"
         << "  <format_schema_path>" << (dir / "format_schemas").string() << "/</format_schema_path>\n"
         << "  <users_config>" << (dir / "users.xml").string() << "</users_config>\n"
         << "  <default_profile>default</default_profile>\n"
         << "  <default_database>default</default_database>\n"
         << "  <mark_cache_size>268435456</mark_cache_size>\n"
         << "  <mlock_executable>false</mlock_executable>\n"
         << "</yandex>\n";
}

void write_users(const std::filesystem::path& dir) {
  std::ofstream users(dir / "users.xml");
  users << "<?xml version=\"1.0\"?>\n<yandex>\n"
        << "  <profiles><default></default></profiles>\n"
        << "  <users><default><password></password><networks><ip>127.0.0.1</ip></networks>"
        << "<profile>default</profile><quota>default</quota></default></users>\n"
        << "  <quotas><default></default></quotas>\n"
        << "</yandex>\n";
}

class ClickHouseServer : public EmbeddedServer {
 public:
  explicit ClickHouseServer(const std::filesystem::path& folder)
      : EmbeddedServer("ClickHouse", folder / "clickhouse", folder / "clickhouse.log") {
    std::filesystem::create_directories(folder_);
    write_users(folder_);
  }

  // Our server is the one whose system tables live in our folder.
  bool answers() override {
    auto query = url_encode("SELECT metadata_path FROM system.tables WHERE database = 'system' LIMIT 1");
    try {
      auto answer = http_get(origin() + "/?query=" + query, 2s);
      return answer.status == 200 && answer.body.starts_with((folder_ / "data").string());
    } catch (const HttpError&) {
      return false;
    }
  }

  void publish_url(ServiceUrls& urls) const override { urls.clickhouse = origin() + "/?database=cast"; }

 protected:
  ProcessSpec next_launch() override {
    http_port_ = free_loopback_port();
    do {
      tcp_port_ = free_loopback_port();
    } while (tcp_port_ == http_port_);
    write_config(folder_, http_port_, tcp_port_);
    return {.program = "/usr/sbin/clickhouse-server",
            .args = {"--config-file=" + (folder_ / "config.xml").string()},
            .working_dir = folder_};
  }

  std::string endpoint() const override {
    return "127.0.0.1:" + std::to_string(http_port_) + " (native " + std::to_string(tcp_port_) + ")";
  }

  std::filesystem::path error_log() const override { return folder_ / "server.err.log"; }

  // 18.16 takes half a second to stop on SIGTERM; its data goes with the folder.
  int stop_signal() const override { return SIGKILL; }

 private:
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(http_port_); }

  std::uint16_t http_port_{0};
  std::uint16_t tcp_port_{0};
};

}  // namespace

std::unique_ptr<EmbeddedServer> make_clickhouse_server(const std::filesystem::path& folder) {
  return std::make_unique<ClickHouseServer>(folder);
}

}  // namespace cast::controller::environment_detail
