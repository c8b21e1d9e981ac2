#include "controller/cli/run_command.h"

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>

#include "common/log/logging.h"
#include "controller/config/config_loader.h"
#include "controller/coordination/coordinator.h"
#include "controller/metrics/controller_metrics.h"
#include "controller/run/interruption.h"
#include "controller/run/platform_target.h"
#include "controller/run/run_session.h"
#include "controller/workers/local_workers.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cast::controller {
namespace {

struct RunFlags {
  std::string config_file;
  GivenFlags given;
};

int fail(int code, const std::string& what) {
  spdlog::error("{}", what);
  std::cerr << "cast run: " << what << "\n";
  return code;
}

int execute(const RunFlags& flags) {
  RunConfig config;
  try {
    config = load_run_config(
        flags.config_file, [](const char* name) { return std::getenv(name); }, flags.given);
  } catch (const ConfigError& e) {
    std::cerr << "cast run: configuration error: " << e.what() << "\n";
    return 2;
  }
  init_logging("cast", config.verbose ? LogLevel::debug : LogLevel::info, config.log_file);
  install_interruption_handlers();
  try {
    return run_session(config, std::cout, isatty(STDOUT_FILENO) ? ProgressStyle::terminal : ProgressStyle::plain);
  } catch (const ConfigError& e) {
    return fail(2, std::string{"configuration error: "} + e.what());
  } catch (const controller::MetricsListenError& e) {
    return fail(2, e.what());
  } catch (const PlatformUnreachable& e) {
    return fail(3, e.what());
  } catch (const controller::CoordinationError& e) {
    return fail(4, std::string{"workers: "} + e.what());
  } catch (const std::exception& e) {
    return fail(4, std::string{"the harness failed: "} + e.what());
  }
}

}  // namespace

// `cast worker ARGS`: the worker is its own binary, so that the controller
// and worker code never link into one process; this just hands over.
void add_worker_command(CLI::App& app) {
  auto* command = app.add_subcommand("worker", "Run a worker that dials a controller (see cast-worker --help)");
  command->allow_extras();
  command->prefix_command();
  command->callback([command] {
    auto worker = controller::default_worker_binary().string();
    std::vector<std::string> args{worker};
    for (const auto& extra : command->remaining()) args.push_back(extra);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(worker.c_str(), argv.data());
    std::cerr << "cast worker: cannot start " << worker << ": " << std::strerror(errno) << "\n";
    throw CLI::RuntimeError(2);
  });
}

// `cast controller`: `cast run` for workers on other hosts, which dial
// --listen; the run starts once --expect-workers have said hello.
void add_controller_command(CLI::App& app) {
  auto flags = std::make_shared<RunFlags>();
  auto* command = app.add_subcommand("controller", "Run the controller for workers on other hosts");
  command->add_option("--config", flags->config_file, "YAML configuration file")->check(CLI::ExistingFile);
  add_run_flags(*command, flags->given);
  command->callback([flags] {
    if (flags->given.values["expect-workers"].empty()) {
      std::cerr << "cast controller: --expect-workers N is required (workers on other hosts to wait for)\n";
      throw CLI::RuntimeError(2);
    }
    throw CLI::RuntimeError(execute(*flags));
  });
}

void add_run_command(CLI::App& app) {
  auto flags = std::make_shared<RunFlags>();
  auto* command = app.add_subcommand("run", "Run the concurrent agent startup and isolation test");
  command->add_option("--config", flags->config_file, "YAML configuration file")->check(CLI::ExistingFile);
  add_run_flags(*command, flags->given);
  command->callback([flags] {
    int code = execute(*flags);
    throw CLI::RuntimeError(code);
  });
}

}  // namespace cast::controller
