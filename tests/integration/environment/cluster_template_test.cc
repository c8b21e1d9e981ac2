// The embedded PostgreSQL's cluster template (controller/environment/
// cluster_template.h) with a real initdb: stored once, reused, rebuilt when
// it is corrupt or from another build, and filled safely by two runs at once.
#include "common/process/child_process.h"
#include "controller/environment/environment.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <csignal>
#include <fstream>
#include <thread>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

struct TempFolder {
  fs::path path;
  TempFolder() {
    std::string pattern = (fs::temp_directory_path() / "cast-template-test-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempFolder() { fs::remove_all(path); }
};

// The cache's entries and leftovers, by name.
std::vector<std::string> cache_contents(const fs::path& cache) {
  std::vector<std::string> names;
  for (const auto& item : fs::directory_iterator(cache)) names.push_back(item.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

fs::path only_entry(const fs::path& cache) {
  auto names = cache_contents(cache);
  REQUIRE(names.size() == 1);
  CHECK(names[0].starts_with("postgres-15-"));
  return cache / names[0];
}

// An old time on the marker: a store made again writes a new marker, now.
const auto kMarkedTime = fs::file_time_type::clock::now() - std::chrono::hours{24 * 365};

void mark(const fs::path& entry) { fs::last_write_time(entry / "complete", kMarkedTime); }
bool marked(const fs::path& entry) { return fs::last_write_time(entry / "complete") == kMarkedTime; }

// Starts PostgreSQL alone on the cache and checks it serves the schema.
void start_and_use(const fs::path& cache) {
  auto environment = cast::controller::EmbeddedEnvironment::start(
      {.redis = false, .clickhouse = false, .postgres_template_cache = cache});
  pqxx::connection connection(environment->urls().postgres);
  pqxx::nontransaction query(connection);
  CHECK(query.exec("SELECT count(*) FROM information_schema.tables WHERE table_name = 'agents'")[0][0].as<int>() == 1);
}

void overwrite(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::trunc);
  out << text;
}

}  // namespace

TEST_CASE("the cluster template is stored by the first start and reused by the next") {
  TempFolder cache;
  start_and_use(cache.path);
  auto entry = only_entry(cache.path);
  CHECK(fs::exists(entry / "data" / "PG_VERSION"));
  mark(entry);

  start_and_use(cache.path);
  CHECK(only_entry(cache.path) == entry);
  CHECK(marked(entry));
  CHECK_FALSE(fs::exists(entry / "data" / "postmaster.pid"));  // the template itself never runs
}

TEST_CASE("a corrupt or foreign cluster template is rebuilt, never used") {
  TempFolder cache;
  start_and_use(cache.path);
  auto entry = only_entry(cache.path);

  SUBCASE("a file of the cluster missing") { fs::remove(entry / "data" / "global" / "pg_control"); }
  SUBCASE("another major version's cluster") { overwrite(entry / "data" / "PG_VERSION", "14\n"); }
  SUBCASE("a marker from another build") { overwrite(entry / "complete", "initdb from elsewhere\n"); }
  SUBCASE("no marker: a store that never finished") { fs::remove(entry / "complete"); }

  if (fs::exists(entry / "complete")) mark(entry);
  start_and_use(cache.path);
  CHECK(only_entry(cache.path) == entry);
  CHECK_FALSE(marked(entry));
  CHECK(fs::exists(entry / "data" / "global" / "pg_control"));
  std::ifstream version(entry / "data" / "PG_VERSION");
  std::string major;
  version >> major;
  CHECK(major == "15");
}

TEST_CASE("two cast env started at once on an empty cache both run and leave one entry") {
  TempFolder cache;
  auto cast_env = [&](const std::string& name) {
    return std::make_unique<cast::ChildProcess>(cast::ProcessSpec{.program = std::string(CAST_BIN_DIR) + "/cast",
                                                                  .args = {"env", "--no-redis", "--no-clickhouse"},
                                                                  .env = {{"XDG_CACHE_HOME", cache.path.string()}},
                                                                  .log_file = cache.path / (name + ".log")});
  };
  // The logs sit beside the cache folder `cast` that both fill.
  auto first = cast_env("first");
  auto second = cast_env("second");
  auto printed_urls = [&](const std::string& name) {
    std::ifstream in(cache.path / (name + ".log"));
    for (std::string line; std::getline(in, line);) {
      if (line.starts_with("{")) return nlohmann::json::parse(line).contains("postgres");
    }
    return false;
  };
  auto until = std::chrono::steady_clock::now() + 120s;
  while (!(printed_urls("first") && printed_urls("second")) && std::chrono::steady_clock::now() < until &&
         first->running() && second->running()) {
    std::this_thread::sleep_for(50ms);
  }
  CHECK(printed_urls("first"));
  CHECK(printed_urls("second"));
  for (auto* run : {first.get(), second.get()}) {
    ::kill(run->pid(), SIGTERM);
    auto status = run->wait_for(60s);
    REQUIRE(status);
    CHECK(status->code == 0);
  }
  // Only the entry: no temporary folder left behind by the run that lost.
  auto entry = only_entry(cache.path / "cast");
  CHECK(fs::exists(entry / "complete"));
}
