#pragma once

// Users run for real on the reference platform (its stores the test's
// own), with the harness view a cast run would have kept of them: what the
// validator tests hold the persistence checks to beside the seeded
// defects of seeded_run.h.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "controller/validators/persistence_validator.h"
#include "tests/integration/controller/seeded_run.h"
#include "tests/support/reference_platform.h"
#include "tests/support/test_users.h"

namespace cast::test {

struct PlatformRun {
  std::vector<PlannedUser> users;
  HarnessView harness;
  PersistenceScope scope;
};

// `count` users each start an agent and say one thing on a reference
// platform with `faults` on, under the Redis prefix "castval".
inline PlatformRun run_users_on(const ServiceUrls& stores, const std::vector<std::string>& faults, std::size_t count) {
  ReferenceOptions options;
  options.stores = &stores;
  options.redis_prefix = "castval";
  options.faults = faults;
  ReferencePlatform platform{options};
  SeededRun plan{stores, make_run_id(), count, "castval"};
  PlatformRun run{plan.users(), {}, plan.scope()};
  run.harness.agents_started.assign(count, 0);
  for (const auto& planned : plan.users()) {
    auto user = connect_user(platform.auth_url(), platform.ws_url(), plan.run_id(), static_cast<int>(planned.index));
    user.canary = planned.canary;  // the planned identity, so canaries verify under the run key
    user.email = planned.profile.email;
    user.display_name = planned.profile.display_name;
    REQUIRE(user.user_id == planned.user_id);
    user.start();
    REQUIRE_FALSE(user.agent_id.empty());
    user.say("a note from " + user.user_id);
    run.harness.agent_starter[user.agent_id] = planned.index;
    ++run.harness.agents_started[planned.index];
  }
  return run;  // the platform stops here, so its metric batches are flushed
}

}  // namespace cast::test
