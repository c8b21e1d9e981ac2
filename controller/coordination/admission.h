#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "cast_control.pb.h"
#include "controller/coordination/worker_ledger.h"

namespace cast::controller {

// Who may attach. Plain rules over the ledger, no gRPC, so that they are
// unit-tested and fuzzed as they are.
struct AdmissionRules {
  std::size_t expected_workers = 0;    // 0 = any number of distinct workers
  std::uint32_t protocol_version = 0;  // the only Hello.protocol_version accepted; 0 = not checked
  std::size_t max_id_bytes = 128;      // Hello.worker_id
  std::size_t max_text_bytes = 256;    // Hello.host, Hello.version
  std::size_t max_token_bytes = 4096;  // Hello.auth_token
};

enum class RefusalKind { bad_hello, other_version, beyond_expected, late, duplicate_id, given_up };

struct Refusal {
  RefusalKind kind;
  std::string reason;  // for the worker's log and ours; never holds the token
};

// Why this Hello may not attach, or nothing when it may. `started`: the go
// was sent. The auth token is checked separately (in constant time).
std::optional<Refusal> refuse_hello(const WorkerLedger& ledger, const cast::v1::Hello& hello,
                                    const AdmissionRules& rules, bool started);

}  // namespace cast::controller
