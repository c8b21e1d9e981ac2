// The HTML report, end to end: real `cast run` sessions write it (a passed
// run, a failed run with findings, an invalid run), and headless Chromium
// opens each offline as a person would. The page must load without console
// errors, show the sections and charts of its verdict, and render to a PNG.
// Without Chromium the test says so and exits as skipped (77), never green.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "tests/support/cast_cli.h"
#include "tests/support/headless_chromium.h"

namespace {

namespace fs = std::filesystem;
using cast::test::run_cast;

fs::path chromium() {
  static auto found = cast::test::find_chromium();
  if (!found) {
    std::cout << "SKIPPED: chromium not found (install it with deploy/install-deps.sh, or set CAST_CHROMIUM)\n";
    std::exit(cast::test::kSkipExitCode);
  }
  return *found;
}

// $CAST_HTML_SHOTS keeps the pages and screenshots for a person to look at.
fs::path work_folder(const std::string& name) {
  const char* keep = std::getenv("CAST_HTML_SHOTS");
  fs::path base =
      keep && *keep ? fs::path(keep) : fs::temp_directory_path() / ("cast-html-" + std::to_string(::getpid()));
  fs::path folder = base / name;
  fs::remove_all(folder);
  fs::create_directories(folder);
  return folder;
}

void clean_up(const fs::path& folder) {
  const char* keep = std::getenv("CAST_HTML_SHOTS");
  if (!keep || !*keep) fs::remove_all(folder.parent_path());
}

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

struct Rendered {
  cast::test::RenderedPage page;
  cast::test::Screenshot shot;
};

// `cast run <args> --html` in `folder`, expecting `exit_code`; then the page in Chromium.
Rendered run_and_render(std::vector<std::string> args, int exit_code, const fs::path& folder) {
  auto browser = chromium();
  fs::path html = folder / "report.html";
  args.insert(args.begin(), "run");
  args.insert(args.end(), {"--html", html.string()});
  auto run = run_cast(args);
  INFO(run.output);
  CHECK(run.exit_code == exit_code);
  CHECK(has(run.output, "written HTML report: " + html.string()));
  REQUIRE(fs::exists(html));
  CHECK(fs::file_size(html) < 1'000'000);
  Rendered out{cast::test::render_dom(browser, html, folder), {}};
  out.shot = cast::test::render_png(browser, html, folder / "report.png", folder);
  INFO("chromium stderr:\n" << out.page.log);
  CHECK_MESSAGE(out.page.console.empty(), "the page logged to its console:\n" << out.page.console);
  CHECK(has(out.page.dom, "<section id=\"verdict\""));
  for (const char* chart : {"latency-histogram", "latency-cdf", "phase-timeline", "startup-rate", "failure-rate",
                            "platform-memory", "platform-cpu"}) {
    CHECK_MESSAGE(has(out.page.dom, std::string("class=\"chart ") + chart + "\""), chart);
  }
  for (const char* id : {"startup", "harness", "test-cases", "findings", "timeline", "resources", "notes"}) {
    CHECK_MESSAGE(has(out.page.dom, std::string("<section id=\"") + id + "\""), id);
  }
  CHECK(has(out.page.dom, "<tr class=\"criterion"));
  CHECK(has(out.page.dom, "<tr class=\"worker"));
  CHECK(out.shot.width == 1400);
  CHECK(out.shot.height == 4000);
  CHECK(out.shot.bytes > 30'000);  // charts and tables, not a blank page
  std::cout << "html report " << folder.filename().string() << ": " << fs::file_size(html) << " bytes, png "
            << out.shot.bytes << " bytes\n";
  return out;
}

}  // namespace

TEST_CASE("a passed run: green banner, agents started, no findings") {
  auto folder = work_folder("passed");
  auto r = run_and_render({"--users", "20"}, 0, folder);
  CHECK(has(r.page.dom, "<body class=\"run-passed\">"));
  CHECK(has(r.page.dom, "class=\"verdict passed\""));
  CHECK(has(r.page.dom, "<g class=\"bars bars-latency\"><rect"));  // the histogram has bars
  CHECK(has(r.page.dom, "class=\"marker mark-pct\""));             // P50/P95/P99 drawn
  CHECK(has(r.page.dom, "class=\"no-findings\""));
  CHECK_FALSE(has(r.page.dom, "<tr class=\"finding\""));
  clean_up(folder);
}

TEST_CASE("a failed run with findings: red banner, findings table with the foreign value marked") {
  auto folder = work_folder("failed");
  auto r = run_and_render({"--users", "10", "--reference-fault", "broadcast"}, 1, folder);
  CHECK(has(r.page.dom, "<body class=\"run-failed\">"));
  CHECK(has(r.page.dom, "<ul class=\"why failed-criteria\">"));
  CHECK(has(r.page.dom, "<tr class=\"finding-group\"><td>foreign_profile</td>"));
  CHECK(has(r.page.dom, "<tr class=\"finding\">"));
  CHECK(has(r.page.dom, "<mark>"));
  CHECK(has(r.page.dom, "<a class=\"chip failed\" href=\"#case-cross_contamination\">"));
  clean_up(folder);
}

TEST_CASE("an invalid run: amber banner naming why the harness cannot vouch for the platform") {
  auto folder = work_folder("invalid");
  // Any schedule lag at all is too much: the harness lag reason makes the run invalid (exit 4).
  fs::path config = folder / "cast.yaml";
  std::ofstream{config} << "users: 10\nthresholds:\n  max_schedule_lag_ms: 0\n";
  auto r = run_and_render({"--config", config.string()}, 4, folder);
  CHECK(has(r.page.dom, "<body class=\"run-invalid\">"));
  CHECK(has(r.page.dom, "<ul class=\"why invalid-reasons\"><li>harness lag:"));
  clean_up(folder);
}
