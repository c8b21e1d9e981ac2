#include "reference/cli/command_line.h"

int main(int argc, char** argv) { return cast::reference::run_command_line(argc, argv); }
