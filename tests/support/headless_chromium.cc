#include "tests/support/headless_chromium.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "common/process/child_process.h"

namespace cast::test {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& file) {
  std::ifstream in{file, std::ios::binary};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<fs::path> on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs{path ? path : ""};
  for (std::string dir; std::getline(dirs, dir, ':');) {
    fs::path candidate = fs::path(dir) / name;
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

// A fresh profile per launch: nothing cached, no first-run state.
fs::path fresh_profile(const fs::path& work_dir) {
  static int launches = 0;
  fs::path profile = work_dir / ("chromium-profile-" + std::to_string(++launches));
  fs::remove_all(profile);
  fs::create_directories(profile);
  return profile;
}

std::vector<std::string> base_flags(const fs::path& profile) {
  return {"--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--disable-quic",
          "--disable-extensions",
          "--disable-default-apps",
          "--host-resolver-rules=MAP * ~NOTFOUND",
          "--enable-logging=stderr",
          "--v=0",
          "--user-data-dir=" + profile.string()};
}

// Chromium's stdout to `out`, its stderr to `err`: a shell in between keeps them apart.
void run_chromium(const fs::path& chromium, std::vector<std::string> flags, const fs::path& out, const fs::path& err,
                  const fs::path& work_dir) {
  std::vector<std::string> args{"-c", "exec \"$0\" \"$@\" >\"$CAST_OUT\" 2>\"$CAST_ERR\"", chromium.string()};
  args.insert(args.end(), flags.begin(), flags.end());
  ChildProcess browser{ProcessSpec{.program = "/bin/sh",
                                   .args = args,
                                   .env = {{"CAST_OUT", out.string()}, {"CAST_ERR", err.string()}},
                                   .working_dir = work_dir,
                                   .log_file = work_dir / "chromium-shell.log"}};
  auto status = browser.wait_for(std::chrono::minutes{2});
  if (!status) {
    browser.terminate(std::chrono::seconds{5});
    throw std::runtime_error("chromium did not finish within 2 minutes:\n" + slurp(err));
  }
  if (!status->success()) {
    throw std::runtime_error("chromium failed (" + status->describe() + "):\n" + slurp(err));
  }
}

// Console messages reach stderr as "...:CONSOLE(line)] message"; uncaught
// exceptions and refused loads (the page's CSP) come the same way.
std::string console_lines(const std::string& log) {
  std::stringstream lines{log};
  std::string out;
  for (std::string line; std::getline(lines, line);) {
    if (line.find("CONSOLE") != std::string::npos || line.find("Uncaught") != std::string::npos) out += line + "\n";
  }
  return out;
}

std::uint32_t big_endian(const std::string& bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

}  // namespace

std::optional<fs::path> find_chromium() {
  if (const char* given = std::getenv("CAST_CHROMIUM"); given && *given) {
    return ::access(given, X_OK) == 0 ? std::optional<fs::path>{given} : std::nullopt;
  }
  if (auto found = on_path("chromium")) return found;
  return on_path("chromium-browser");
}

RenderedPage render_dom(const fs::path& chromium, const fs::path& html, const fs::path& work_dir) {
  auto flags = base_flags(fresh_profile(work_dir));
  flags.insert(flags.end(), {"--dump-dom", "file://" + fs::absolute(html).string()});
  fs::path out = work_dir / "dom.html", err = work_dir / "dom.stderr";
  run_chromium(chromium, flags, out, err, work_dir);
  RenderedPage page;
  page.dom = slurp(out);
  page.log = slurp(err);
  page.console = console_lines(page.log);
  return page;
}

Screenshot render_png(const fs::path& chromium, const fs::path& html, const fs::path& png, const fs::path& work_dir,
                      int width, int height) {
  auto flags = base_flags(fresh_profile(work_dir));
  flags.insert(flags.end(), {"--hide-scrollbars", "--screenshot=" + fs::absolute(png).string(),
                             "--window-size=" + std::to_string(width) + "," + std::to_string(height),
                             "file://" + fs::absolute(html).string()});
  run_chromium(chromium, flags, work_dir / "png.stdout", work_dir / "png.stderr", work_dir);
  Screenshot shot;
  if (!fs::exists(png)) return shot;
  shot.bytes = fs::file_size(png);
  std::string head = slurp(png).substr(0, 24);
  if (head.size() == 24 && head.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0 && head.compare(12, 4, "IHDR") == 0) {
    shot.width = big_endian(head, 16);
    shot.height = big_endian(head, 20);
  }
  return shot;
}

}  // namespace cast::test
