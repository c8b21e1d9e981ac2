#pragma once

// Internal to controller/environment.

#include "common/process/child_process.h"

#include <sys/types.h>
#include <filesystem>
#include <memory>

namespace cast::controller::environment_detail {

// Cleans up after an environment whose owner was killed outright (SIGKILL,
// crash): a tiny /bin/sh spawned with PDEATHSIG=SIGTERM whose trap kills
// the recorded server process groups, releases PostgreSQL's SysV segment
// and removes the folder. Its `sleep & wait` loop lets the trap run at once
// instead of after a foreground sleep.
class FolderGuardian {
 public:
  explicit FolderGuardian(const std::filesystem::path& folder);  // throws ProcessError
  ~FolderGuardian();
  // Records a server's process group for the trap to kill.
  void watch_group(pid_t group);
  // After the owner has cleaned up itself: the folder (and the record of
  // groups) is gone, so the trap finds nothing left to do.
  void dismiss();

 private:
  std::filesystem::path folder_;
  std::unique_ptr<ChildProcess> shell_;
};

}  // namespace cast::controller::environment_detail
