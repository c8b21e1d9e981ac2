#pragma once

// Tests start the reference platform exactly as `cast run` does.
#include "controller/environment/reference_platform.h"

namespace cast::test {
using ReferenceOptions = cast::ReferenceOptions;
using ReferencePlatform = cast::ReferencePlatform;
}  // namespace cast::test
