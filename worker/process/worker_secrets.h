#pragma once

#include <stdexcept>
#include <string>

namespace cast::worker {

// A worker's secret or TLS file that cannot be used; cast-worker exits 2.
class SecretError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The shared worker token, from the first of: --token-file, --token, the
// CAST_WORKER_TOKEN variable (`env_value`, may be null). A token given with
// --token is visible to every local user in ps: warned about, kept for
// compatibility. Empty when none is given.
std::string resolve_worker_token(const std::string& flag_token, const std::string& token_file, const char* env_value);

// The PEM text of `path` ("" for an empty path); `what` names it in errors.
std::string read_pem_file(const std::string& path, const char* what);

}  // namespace cast::worker
