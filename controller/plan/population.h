#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace cast::controller {

// Run ids end up in Redis keys, SQL literals and ClickHouse strings
// unescaped, so they are restricted to [a-z0-9-], 1 to 64 characters.
bool is_safe_run_id(std::string_view run_id);

// `run-YYYYMMDD-HHMMSS-xxxxxx` (UTC, six random [a-z0-9]).
std::string make_run_id(std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// 32 bytes from the CSPRNG: the HMAC key of the run's canaries. Never logged.
std::string make_run_key();

struct PopulationSpec {
  std::string run_id;                     // must pass is_safe_run_id
  std::string run_key;                    // raw bytes, see make_run_key
  std::size_t users{100};                 // users in the run
  std::size_t users_per_tenant{4};        // consecutive users sharing a tenant; 1 = a tenant each
  std::string email_domain{"cast.test"};  // emails are user@<run8>.<domain>
};

struct UserProfile {
  std::string email;         // u-000042@<run8>.cast.test
  std::string display_name;  // Cast User 000042 (<run8>)
};

struct PlannedUser {
  std::size_t index{0};
  std::string user_id;    // u-000042
  std::string tenant_id;  // t-0007
  UserProfile profile;
  std::string canary;  // cst_<run8>_<index>_<tag16>
  // Workers append a decimal sequence number (`u-000042-r7`), so any request
  // id seen on the wire names the user who sent it.
  std::string request_id_prefix;  // u-000042-r
};

// The users of one run, index i at position i. Throws std::invalid_argument
// naming the bad field (unsafe run id, empty key, zero users per tenant).
//
// Ids are zero-padded to one width per run (at least 6 digits for users, 4
// for tenants, more when the run needs them), so no id, email or display
// name of a run is a substring of another one's: the detector can match
// them as plain strings.
std::vector<PlannedUser> plan_population(const PopulationSpec& spec);

}  // namespace cast::controller
