#pragma once

// Helpers for end-to-end tests that start `cast controller` and `cast
// worker` as separate processes, as on several hosts: the binaries, the
// shared token in the environment, waiting for a line in a log and reading
// its timestamp, to measure how long the harness took to notice something.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/process/child_process.h"

namespace cast::test {

using WallClock = std::chrono::system_clock;

std::string bin_path(const char* name);
std::string slurp_file(const std::filesystem::path& file);
// A fresh private folder under the temp directory, removed by the caller.
std::filesystem::path fresh_folder(const std::string& stem);

// `cast controller --listen ADDRESS --expect-workers N --users U FLAGS...`
// writing report.json and run.log into `dir` and its console to
// dir/controller.txt, the token in CAST_WORKER_TOKEN.
ProcessSpec cast_controller_spec(const std::string& address, const std::string& token, const std::filesystem::path& dir,
                                 int expected_workers, int users, const std::vector<std::string>& flags = {});

// `cast worker --controller ADDRESS --worker-id ID --capacity N EXTRA...`,
// the token in CAST_WORKER_TOKEN, output to `log`.
ProcessSpec cast_worker_spec(const std::string& address, const std::string& token, const std::string& id,
                             const std::filesystem::path& log, const std::vector<std::string>& extra = {},
                             int capacity = 10);
ChildProcess start_cast_worker(const std::string& address, const std::string& token, const std::string& id,
                               const std::filesystem::path& log, const std::vector<std::string>& extra = {},
                               int capacity = 10);

// The first line of `log` holding `needle`, once it appears (polled), or
// nothing after `patience`.
std::optional<std::string> wait_for_line(const std::filesystem::path& log, const std::string& needle,
                                         std::chrono::milliseconds patience = std::chrono::seconds{120});
// The instant a cast log line was written ("2026-12-01T09:56:34.123 ...", local time).
std::optional<WallClock::time_point> line_time(const std::string& line);
double seconds_between(WallClock::time_point from, WallClock::time_point to);

// The report's workers[] entry with this id (null when absent).
nlohmann::json report_worker(const nlohmann::json& report, const std::string& id);

}  // namespace cast::test
