// The one doctest main shared by every test binary.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdlib>

int main(int argc, char** argv) {
  // `cast` started by a test keeps its PostgreSQL cluster template in the
  // build folder: the user's cache neither helps nor breaks a test, and the
  // tests running side by side still share (and race for) one template.
  ::setenv("XDG_CACHE_HOME", CAST_BIN_DIR "/../test-cache", 1);
  return doctest::Context(argc, argv).run();
}
