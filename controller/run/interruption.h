#pragma once

namespace cast::controller {

// Ctrl-C / SIGTERM during a run: the first one asks the run to stop early
// and still judge and report what it collected; a second one exits at once
// (children die with us through PR_SET_PDEATHSIG, the environment's
// guardian removes its folder).
void install_interruption_handlers();
bool interruption_requested();
int interruption_signal();

}  // namespace cast::controller
