#include "controller/environment/cluster_template.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace cast::controller::environment_detail {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// FNV-1a: stable across builds and platforms, unlike std::hash.
std::string short_hash(const std::string& text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash = (hash ^ c) * 1099511628211ull;
  }
  return fmt::format("{:016x}", hash);
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::string binary_identity(const fs::path& program) {
  std::error_code error;
  auto size = fs::file_size(program, error);
  auto time = fs::last_write_time(program, error);
  if (error) return program.string() + " missing";
  return fmt::format("{} {} {}", program.string(), size, time.time_since_epoch().count());
}

// Moves a bad entry out of the way first (rename is atomic: a concurrent run
// sees the entry or nothing), then deletes it.
void discard(const fs::path& entry) {
  auto aside = fs::path(entry.string() + fmt::format(".stale.{}", ::getpid()));
  std::error_code error;
  fs::rename(entry, aside, error);
  if (!error) fs::remove_all(aside, error);
}

// Temporary folders of runs that died while storing; an hour is far longer
// than any store takes.
void remove_abandoned(const fs::path& cache_folder) {
  std::error_code error;
  auto now = fs::file_time_type::clock::now();
  for (const auto& item : fs::directory_iterator(cache_folder, error)) {
    auto name = item.path().filename().string();
    bool temporary = name.starts_with(".postgres-") || name.find(".stale.") != std::string::npos;
    std::error_code ignored;
    if (temporary && now - fs::last_write_time(item.path(), ignored) > 1h) fs::remove_all(item.path(), ignored);
  }
}

}  // namespace

ClusterTemplate::ClusterTemplate(fs::path cache_folder, std::string major, std::string key)
    : cache_folder_(std::move(cache_folder)),
      major_(std::move(major)),
      key_(std::move(key)),
      entry_(cache_folder_ / ("postgres-" + major_ + "-" + short_hash(key_))) {}

// The key, the cluster's major version as it says, and its file count and
// size: a truncated copy, a missing file or another build's cluster differ.
std::string ClusterTemplate::marker_text(const fs::path& data) const {
  std::uintmax_t files = 0;
  std::uintmax_t bytes = 0;
  std::error_code error;
  for (fs::recursive_directory_iterator it(data, error), end; !error && it != end; it.increment(error)) {
    std::error_code ignored;
    if (it->is_regular_file(ignored)) {
      ++files;
      bytes += it->file_size(ignored);
    }
  }
  return fmt::format("{}\nPG_VERSION {}\nfiles {} bytes {}{}\n", key_, trimmed(read_text(data / "PG_VERSION")), files,
                     bytes, error ? " (unreadable)" : "");
}

std::optional<fs::path> ClusterTemplate::find() const {
  std::error_code error;
  if (!fs::exists(entry_, error)) return std::nullopt;
  auto data = entry_ / "data";
  auto expected = marker_text(data);
  auto found = read_text(entry_ / "complete");
  if (found == expected && expected.find("\nPG_VERSION " + major_ + "\n") != std::string::npos) return data;
  spdlog::warn("PostgreSQL template {} is {}; removing it, initdb runs again", entry_.string(),
               found.empty() ? "incomplete (no 'complete' marker)" : "not what its marker says");
  discard(entry_);
  return std::nullopt;
}

std::optional<ProcessSpec> ClusterTemplate::begin_store(const fs::path& data, const fs::path& log_file) {
  std::error_code error;
  fs::create_directories(cache_folder_, error);
  std::string pattern = (cache_folder_ / ("." + entry_.filename().string() + ".XXXXXX")).string();
  if (error || ::mkdtemp(pattern.data()) == nullptr) {
    spdlog::warn("PostgreSQL template: cannot write to {} ({}); this run goes without it", cache_folder_.string(),
                 error ? error.message() : std::strerror(errno));
    return std::nullopt;
  }
  remove_abandoned(cache_folder_);
  staging_ = pattern;
  return copy_tree(data, staging_ / "data", log_file);
}

void ClusterTemplate::commit() {
  {
    std::ofstream marker(staging_ / "complete");
    marker << marker_text(staging_ / "data");
    if (!marker.flush()) {
      spdlog::warn("PostgreSQL template: cannot write {}", (staging_ / "complete").string());
      abandon();
      return;
    }
  }
  std::error_code error;
  fs::rename(staging_, entry_, error);
  if (error) {
    // EEXIST/ENOTEMPTY: a run beside this one stored the same cluster first.
    spdlog::debug("PostgreSQL template {} not stored by this run: {}", entry_.string(), error.message());
    abandon();
    return;
  }
  spdlog::debug("PostgreSQL template stored in {}", entry_.string());
}

void ClusterTemplate::abandon() {
  std::error_code ignored;
  fs::remove_all(staging_, ignored);
}

ProcessSpec copy_tree(const fs::path& from, const fs::path& to, const fs::path& log_file) {
  return {.program = "cp", .args = {"-a", "--reflink=auto", from.string(), to.string()}, .log_file = log_file};
}

std::string cluster_key(const fs::path& bin_folder, const std::vector<std::string>& initdb_args, unsigned uid,
                        unsigned gid) {
  std::string args;
  for (const auto& arg : initdb_args) args += " " + arg;
  return fmt::format("initdb{}; {}; {}; owner {}:{}", args, binary_identity(bin_folder / "initdb"),
                     binary_identity(bin_folder / "postgres"), uid, gid);
}

}  // namespace cast::controller::environment_detail
