#include "tests/support/test_environment.h"

#include <memory>

namespace cast::test {

const ServiceUrls& shared_environment() {
  // A function-local static: started once, stopped by its destructor at exit.
  static const std::unique_ptr<EmbeddedEnvironment> environment = EmbeddedEnvironment::start({});
  return environment->urls();
}

}  // namespace cast::test
