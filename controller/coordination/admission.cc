#include "controller/coordination/admission.h"

#include <fmt/format.h>

#include <algorithm>

namespace cast::controller {
namespace {

bool is_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == ':';
}

std::optional<std::string> malformed(const cast::v1::Hello& hello, const AdmissionRules& rules) {
  const std::string& id = hello.worker_id();
  if (id.empty()) {
    return "the first message must be a Hello with a worker_id";
  }
  if (id.size() > rules.max_id_bytes || !std::all_of(id.begin(), id.end(), is_id_char)) {
    return fmt::format("worker_id must be 1-{} characters of [A-Za-z0-9._:-]", rules.max_id_bytes);
  }
  if (hello.host().size() > rules.max_text_bytes || hello.version().size() > rules.max_text_bytes) {
    return fmt::format("Hello host and version may hold at most {} bytes each", rules.max_text_bytes);
  }
  if (hello.auth_token().size() > rules.max_token_bytes) {
    return fmt::format("Hello auth token longer than {} bytes", rules.max_token_bytes);
  }
  return std::nullopt;
}

bool same_process(const cast::v1::Hello& a, const cast::v1::Hello& b) {
  return a.host() == b.host() && a.pid() == b.pid();
}

}  // namespace

std::optional<Refusal> refuse_hello(const WorkerLedger& ledger, const cast::v1::Hello& hello,
                                    const AdmissionRules& rules, bool started) {
  if (auto problem = malformed(hello, rules)) {
    return Refusal{RefusalKind::bad_hello, *problem};
  }
  const std::string& id = hello.worker_id();
  if (rules.protocol_version != 0 && hello.protocol_version() != rules.protocol_version) {
    return Refusal{RefusalKind::other_version,
                   fmt::format("worker {} speaks control protocol version {}, this controller speaks {}", id,
                               hello.protocol_version(), rules.protocol_version)};
  }
  const TrackedWorker* known = ledger.find(id);
  if (known == nullptr) {
    if (started) {
      return Refusal{RefusalKind::late, fmt::format("worker {} is late: the run already started", id)};
    }
    if (rules.expected_workers > 0 && ledger.size() >= rules.expected_workers) {
      return Refusal{RefusalKind::beyond_expected,
                     fmt::format("worker {} is not needed: the controller expects {} workers and has them", id,
                                 rules.expected_workers)};
    }
    return std::nullopt;
  }
  if (known->given_up) {
    return Refusal{RefusalKind::given_up,
                   fmt::format("worker {} was declared lost ({}); it may not rejoin", id, known->lost_reason)};
  }
  // The same process coming back is a reconnect; another process with the
  // same id would restart the sequence numbers and mix two workers' events.
  if (!same_process(known->hello, hello)) {
    return Refusal{RefusalKind::duplicate_id, fmt::format("worker id {} is already taken by pid {} on host {}", id,
                                                          known->hello.pid(), known->hello.host())};
  }
  return std::nullopt;
}

}  // namespace cast::controller
