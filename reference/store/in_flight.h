#pragma once

#include "reference/store/stores.h"

namespace cast::reference {

// Keeps a sent request "in flight" for read.in_flight, polling
// read.client_gone(); returns true as soon as the client has gone (also when
// it was already gone with no in-flight time at all).
bool hold_in_flight(const ContextRead& read);

}  // namespace cast::reference
