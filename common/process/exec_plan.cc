#include "common/process/exec_plan.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace cast::process_detail {

namespace {

std::string resolve_program(const std::string& program) {
  if (program.find('/') != std::string::npos) {
    return program;
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    std::size_t end = dirs.find(':', start);
    end = end == std::string::npos ? dirs.size() : end;
    std::string candidate = dirs.substr(start, end - start) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    start = end + 1;
  }
  throw ProcessError("cannot start " + program + ": not found in PATH");
}

Credentials lookup_user(const std::string& name) {
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buffer(16384);
  if (::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found) {
    throw ProcessError("cannot run as user '" + name + "': no such user");
  }
  Credentials credentials{found->pw_uid, found->pw_gid, found->pw_dir, {}};
  int count = 64;
  credentials.groups.resize(count);
  if (::getgrouplist(name.c_str(), found->pw_gid, credentials.groups.data(), &count) < 0) {
    credentials.groups.resize(count);
    ::getgrouplist(name.c_str(), found->pw_gid, credentials.groups.data(), &count);
  }
  credentials.groups.resize(count);
  return credentials;
}

std::vector<std::string> build_environment(const ProcessSpec& spec, const std::optional<Credentials>& who) {
  std::map<std::string, std::string> merged;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string text = *entry;
    auto eq = text.find('=');
    if (eq != std::string::npos) {
      merged[text.substr(0, eq)] = text.substr(eq + 1);
    }
  }
  if (who) {
    merged["HOME"] = who->home;
    merged["USER"] = merged["LOGNAME"] = spec.run_as_user;
  }
  for (const auto& [key, value] : spec.env) {
    merged[key] = value;
  }
  std::vector<std::string> result;
  for (const auto& [key, value] : merged) {
    result.push_back(key + "=" + value);
  }
  return result;
}

int open_or_throw(const std::string& program, const std::filesystem::path& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw ProcessError("cannot start " + program + ": cannot open " + path.string() + ": " + std::strerror(errno));
  }
  return fd;
}

}  // namespace

ExecPlan make_plan(const ProcessSpec& spec) {
  ExecPlan plan;
  plan.path = resolve_program(spec.program);
  plan.argv_text.push_back(spec.program);
  plan.argv_text.insert(plan.argv_text.end(), spec.args.begin(), spec.args.end());
  if (!spec.run_as_user.empty()) {
    plan.credentials = lookup_user(spec.run_as_user);
  }
  plan.env_text = build_environment(spec, plan.credentials);
  for (auto& arg : plan.argv_text) {
    plan.argv.push_back(arg.data());
  }
  plan.argv.push_back(nullptr);
  for (auto& entry : plan.env_text) {
    plan.envp.push_back(entry.data());
  }
  plan.envp.push_back(nullptr);
  plan.working_dir = spec.working_dir.string();
  plan.death_signal = spec.death_signal;
  plan.parent = ::getpid();
  plan.stdin_fd = open_or_throw(spec.program, "/dev/null", O_RDONLY);
  if (!spec.log_file.empty()) {
    plan.log_fd = open_or_throw(spec.program, spec.log_file, O_WRONLY | O_CREAT | O_APPEND);
  }
  return plan;
}

void close_plan_fds(const ExecPlan& plan) {
  ::close(plan.stdin_fd);
  if (plan.log_fd >= 0) {
    ::close(plan.log_fd);
  }
}

}  // namespace cast::process_detail
