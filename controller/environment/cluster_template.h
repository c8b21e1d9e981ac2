#pragma once

// Internal to controller/environment: a pristine initdb'd PostgreSQL cluster
// kept in a per-user cache, so that a run copies it (milliseconds) instead of
// running initdb (one to two seconds). Each run still gets its own copy in
// its own folder; the template itself is never started.
//
// An entry is a folder `postgres-<major>-<hash>` holding `data/` (the
// cluster) and `complete`, written last, naming what made it (the key) and
// the cluster's file count and size. An entry is trusted only when all of
// that matches; anything else is removed and rebuilt. Entries appear by
// rename(2) from a temporary folder beside them, so a run never sees half of
// one, and two runs filling the cache at once both succeed (one entry wins).

#include "common/process/child_process.h"

#include <filesystem>
#include <optional>
#include <string>

namespace cast::controller::environment_detail {

class ClusterTemplate {
 public:
  // `key`: what the cluster depends on (initdb's arguments, the binaries'
  // identity, the owner); entries made from another key are never used.
  ClusterTemplate(std::filesystem::path cache_folder, std::string major, std::string key);

  // The cached cluster's data folder when the entry is complete and made
  // from this key; an entry that is not is removed (and says why in the log).
  std::optional<std::filesystem::path> find() const;

  // Starts storing `data` (a fresh initdb'd cluster, not yet started): the
  // copy into a temporary folder in the cache, to be run as a child process.
  // nullopt (logged) when the cache folder cannot be written.
  std::optional<ProcessSpec> begin_store(const std::filesystem::path& data, const std::filesystem::path& log_file);
  // After the copy succeeded: writes `complete`, then renames the temporary
  // folder into place (a concurrent run's entry, if first, is kept).
  void commit();
  // After the copy failed: removes the temporary folder.
  void abandon();

  const std::filesystem::path& entry() const { return entry_; }

 private:
  std::string marker_text(const std::filesystem::path& data) const;

  std::filesystem::path cache_folder_;
  std::string major_;
  std::string key_;
  std::filesystem::path entry_;    // cache_folder/postgres-<major>-<hash>
  std::filesystem::path staging_;  // cache_folder/.postgres-<major>-<hash>.XXXXXX while storing
};

// `cp -a --reflink=auto from to`: `to` must not exist; it becomes the copy,
// with owners, modes and times kept (as root: the server user's files stay his).
ProcessSpec copy_tree(const std::filesystem::path& from, const std::filesystem::path& to,
                      const std::filesystem::path& log_file);

// What a cluster made by `initdb_args` from the binaries in `bin_folder`
// owned by uid:gid depends on, as one line of text.
std::string cluster_key(const std::filesystem::path& bin_folder, const std::vector<std::string>& initdb_args,
                        unsigned uid, unsigned gid);

}  // namespace cast::controller::environment_detail
