#include "controller/environment/embedded_server.h"

#include <deque>
#include <fstream>

namespace cast::controller::environment_detail {

EmbeddedServer::EmbeddedServer(std::string name, std::filesystem::path folder, std::filesystem::path log_file)
    : folder_(std::move(folder)), log_file_(std::move(log_file)), name_(std::move(name)) {}

void EmbeddedServer::launch() {
  if (process_) {
    process_->terminate(std::chrono::milliseconds{1'000});
  }
  ProcessSpec spec = next_launch();
  spec.log_file = log_file_;
  spec.stop_signal = stop_signal();
  try {
    process_ = std::make_unique<ChildProcess>(spec);
  } catch (const ProcessError& error) {
    throw EnvironmentError(describe_failure(error.what()));
  }
}

std::string EmbeddedServer::describe_failure(const std::string& what) const {
  return name_ + " on " + endpoint() + " (environment folder " + folder_.parent_path().string() + "): " + what +
         "\n--- tail of " + error_log().string() + " ---\n" + log_tail(error_log());
}

void EmbeddedServer::request_stop() {
  if (process_) {
    process_->signal_group(stop_signal());
  }
}

void EmbeddedServer::stop(std::chrono::milliseconds grace) {
  if (process_) {
    process_->terminate(grace);
  }
}

std::string log_tail(const std::filesystem::path& file, std::size_t lines) {
  std::ifstream in(file);
  if (!in) {
    return "(no log at " + file.string() + ")\n";
  }
  std::deque<std::string> last;
  for (std::string line; std::getline(in, line);) {
    last.push_back(std::move(line));
    if (last.size() > lines) {
      last.pop_front();
    }
  }
  std::string text;
  for (const auto& line : last) {
    text += line + "\n";
  }
  return text;
}

}  // namespace cast::controller::environment_detail
