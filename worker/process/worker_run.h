#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/protocol/timeouts.h"

namespace cast::worker {

struct WorkerOptions {
  std::string controller_address;  // host:port
  std::string worker_id;           // stable name; empty = host-pid
  std::string auth_token;          // shared secret for the controller, may be empty; never logged
  // TLS to the controller (PEM text): tls_ca set = TLS, verifying the
  // controller against it, its certificate naming tls_server_name (default:
  // the address's host); tls_cert + tls_key = this worker's certificate
  // for mutual TLS.
  std::string tls_ca;
  std::string tls_server_name;
  std::string tls_cert;
  std::string tls_key;
  std::uint32_t capacity{1000};                           // users this worker is willing to run
  unsigned threads{1};                                    // event loops
  std::chrono::milliseconds assignment_timeout{120'000};  // connect -> assignment
  // Nothing from the controller for this long, once it answered: it is
  // taken for dead and every user stops (--controller-silence-ms).
  std::chrono::milliseconds controller_silence{defaults::kControllerSilence};
};

// The life of a worker process: dial the controller, take the assignment,
// prepare the users, start them all at the go, stream every event, say done.
// Returns the process exit code (design.md): 0 finished, 2 bad assignment,
// 3 controller or platform unreachable (no assignment), 4 aborted, events
// not all delivered, or the controller lost after the assignment: silent
// for `controller_silence`, when every user is stopped at once (and
// the process ended within 2 s more if they do not stop).
int run_worker(const WorkerOptions& options);

}  // namespace cast::worker
