#include "tests/support/run_processes.h"

#include "tests/support/liveness_env.h"

#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <unistd.h>

namespace cast::test {

std::string bin_path(const char* name) { return std::string(CAST_BIN_DIR) + "/" + name; }

std::string slurp_file(const std::filesystem::path& file) {
  std::ifstream in{file};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::filesystem::path fresh_folder(const std::string& stem) {
  std::string pattern = (std::filesystem::temp_directory_path() / (stem + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create a folder for " + stem);
  return pattern;
}

ProcessSpec cast_controller_spec(const std::string& address, const std::string& token, const std::filesystem::path& dir,
                                 int expected_workers, int users, const std::vector<std::string>& flags) {
  std::vector<std::string> args{"controller",
                                "--listen",
                                address,
                                "--expect-workers",
                                std::to_string(expected_workers),
                                "--users",
                                std::to_string(users),
                                "--report-file",
                                (dir / "report.json").string(),
                                "--log-file",
                                (dir / "run.log").string()};
  args.insert(args.end(), flags.begin(), flags.end());
  ProcessSpec spec{.program = bin_path("cast"),
                   .args = args,
                   .env = {{"CAST_WORKER_TOKEN", token}},
                   .log_file = dir / "controller.txt"};
  add_scaled_liveness(spec.env);
  return spec;
}

ProcessSpec cast_worker_spec(const std::string& address, const std::string& token, const std::string& id,
                             const std::filesystem::path& log, const std::vector<std::string>& extra, int capacity) {
  std::vector<std::string> args{"worker",     "--controller",          address, "--worker-id", id,
                                "--capacity", std::to_string(capacity)};
  args.insert(args.end(), extra.begin(), extra.end());
  ProcessSpec spec{.program = bin_path("cast"), .args = args, .env = {{"CAST_WORKER_TOKEN", token}}, .log_file = log};
  add_scaled_liveness(spec.env);
  return spec;
}

ChildProcess start_cast_worker(const std::string& address, const std::string& token, const std::string& id,
                               const std::filesystem::path& log, const std::vector<std::string>& extra, int capacity) {
  return ChildProcess{cast_worker_spec(address, token, id, log, extra, capacity)};
}

std::optional<std::string> wait_for_line(const std::filesystem::path& log, const std::string& needle,
                                         std::chrono::milliseconds patience) {
  auto deadline = std::chrono::steady_clock::now() + patience;
  do {
    std::istringstream text{slurp_file(log)};
    for (std::string line; std::getline(text, line);) {
      if (line.find(needle) != std::string::npos) return line;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  } while (std::chrono::steady_clock::now() < deadline);
  return std::nullopt;
}

std::optional<WallClock::time_point> line_time(const std::string& line) {
  std::tm tm{};
  int millis = 0;
  if (std::sscanf(line.c_str(), "%d-%d-%dT%d:%d:%d.%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec, &millis) != 7) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  tm.tm_isdst = -1;
  return WallClock::from_time_t(std::mktime(&tm)) + std::chrono::milliseconds{millis};
}

double seconds_between(WallClock::time_point from, WallClock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

nlohmann::json report_worker(const nlohmann::json& report, const std::string& id) {
  if (!report.contains("workers")) return nullptr;
  for (const auto& w : report["workers"]) {
    if (w.value("id", "") == id) return w;
  }
  return nullptr;
}

}  // namespace cast::test
