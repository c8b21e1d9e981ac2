#pragma once

// Renders a local HTML file in headless Chromium (Debian's `chromium`), as
// a person's browser would open a report: the DOM after load, what the page
// logged to its console, and a screenshot. No network: Chromium's own
// background traffic is off and every host name resolves to nothing.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace cast::test {

// Exit code of a test binary that cannot run here (ctest SKIP_RETURN_CODE).
inline constexpr int kSkipExitCode = 77;

// The chromium binary: $CAST_CHROMIUM, else `chromium` or `chromium-browser`
// on PATH; empty when there is none.
std::optional<std::filesystem::path> find_chromium();

struct RenderedPage {
  std::string dom;      // --dump-dom: the serialized DOM after load
  std::string console;  // lines Chromium logged for the page's console (errors included)
  std::string log;      // Chromium's whole stderr, for diagnosis
};

struct Screenshot {
  std::uintmax_t bytes{0};
  std::uint32_t width{0}, height{0};  // from the PNG header; 0 when not a PNG
};

// Each call starts Chromium with a fresh, empty profile in `work_dir`.
// Throws std::runtime_error when Chromium fails or hangs past two minutes.
RenderedPage render_dom(const std::filesystem::path& chromium, const std::filesystem::path& html,
                        const std::filesystem::path& work_dir);
Screenshot render_png(const std::filesystem::path& chromium, const std::filesystem::path& html,
                      const std::filesystem::path& png, const std::filesystem::path& work_dir, int width = 1400,
                      int height = 4000);

}  // namespace cast::test
