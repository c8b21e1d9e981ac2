#pragma once

// The embedded environment for tests: one per test process, started on
// first use and stopped at exit.

#include "controller/environment/environment.h"

namespace cast::test {

using namespace cast::controller;  // the code these tests exercise

// URLs of this process's private PostgreSQL, Redis and ClickHouse, with the
// schema in place. Call it from the test's main thread: the servers die
// with the thread that started them. Throws EnvironmentError when a server
// cannot be started (a later call tries again).
const ServiceUrls& shared_environment();

}  // namespace cast::test
