#pragma once

// Tests start the reference platform exactly as `cast run` does.
#include "controller/environment/reference_platform.h"

namespace cast::test {

using namespace cast::controller;  // the code these tests exercise
using ReferenceOptions = cast::controller::ReferenceOptions;
using ReferencePlatform = cast::controller::ReferencePlatform;
}  // namespace cast::test
