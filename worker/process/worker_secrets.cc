#include "worker/process/worker_secrets.h"

#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>

namespace cast::worker {
namespace {

std::string slurp(const std::string& path, const std::string& what) {
  std::ifstream in{path};
  if (!in) throw SecretError(path + ": cannot read the " + what);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string resolve_worker_token(const std::string& flag_token, const std::string& token_file, const char* env_value) {
  if (!token_file.empty()) {
    std::string token = slurp(token_file, "worker token file");
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
    if (token.empty()) throw SecretError(token_file + ": the worker token file is empty");
    return token;
  }
  if (!flag_token.empty()) {
    spdlog::warn("worker: --token is visible to every local user in ps; prefer CAST_WORKER_TOKEN or --token-file");
    return flag_token;
  }
  return env_value != nullptr ? env_value : "";
}

std::string read_pem_file(const std::string& path, const char* what) {
  if (path.empty()) return {};
  std::string text = slurp(path, what);
  if (text.find("-----BEGIN") == std::string::npos)
    throw SecretError(path + ": the " + std::string{what} + " is not PEM text");
  return text;
}

}  // namespace cast::worker
