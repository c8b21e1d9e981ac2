#include "controller/environment/folder_guardian.h"

#include <fstream>

namespace cast::controller::environment_detail {
namespace {

constexpr const char* groups_file = ".guardian-groups";

// $1 is the folder. postmaster.pid's 7th line holds the shared memory key
// and id, which a SIGKILLed postmaster leaves behind.
constexpr const char* guardian_script = R"sh(
folder="$1"
cleanup() {
  if [ -f "$folder/.guardian-groups" ]; then
    while read -r group; do kill -s KILL -- "-$group" 2>/dev/null; done < "$folder/.guardian-groups"
  fi
  for pidfile in "$folder"/*/data/postmaster.pid; do
    [ -f "$pidfile" ] || continue
    shmid=$(sed -n 7p "$pidfile" | awk '{print $2}')
    [ -n "$shmid" ] && ipcrm -m "$shmid" 2>/dev/null
  done
  rm -rf "$folder"
  exit 0
}
trap cleanup TERM INT HUP
while :; do sleep 1 & wait $!; done
)sh";

}  // namespace

FolderGuardian::FolderGuardian(const std::filesystem::path& folder) : folder_(folder) {
  shell_ =
      std::make_unique<ChildProcess>(ProcessSpec{.program = "/bin/sh",
                                                 .args = {"-c", guardian_script, "cast-env-guardian", folder.string()},
                                                 .working_dir = "/",
                                                 .log_file = "/dev/null",
                                                 .death_signal = SIGTERM});
}

FolderGuardian::~FolderGuardian() { dismiss(); }

void FolderGuardian::watch_group(pid_t group) { std::ofstream(folder_ / groups_file, std::ios::app) << group << "\n"; }

void FolderGuardian::dismiss() {
  if (shell_) {
    shell_->terminate(std::chrono::milliseconds{2'000});
    shell_.reset();
  }
}

}  // namespace cast::controller::environment_detail
