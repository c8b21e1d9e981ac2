#include "controller/report/html_text.h"

#include <cmath>
#include <cstdio>

namespace cast::controller {
namespace {

constexpr std::string_view kOpen = ">>>";
constexpr std::string_view kClose = "<<<";

bool continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Moves `at` forward to the start of a UTF-8 sequence.
std::size_t char_boundary(std::string_view text, std::size_t at) {
  while (at < text.size() && continuation_byte(text[at])) {
    ++at;
  }
  return at;
}

// At most `width` bytes of `text`, keeping its mark in view.
std::string_view window(std::string_view text, std::size_t width, bool& cut_front, bool& cut_back) {
  cut_front = cut_back = false;
  if (text.size() <= width) {
    return text;
  }
  std::size_t mark = text.find(kOpen);
  std::size_t from = mark == std::string_view::npos || mark < width / 3 ? 0 : char_boundary(text, mark - width / 3);
  std::size_t to = std::min(text.size(), from + width);
  while (to < text.size() && to > from && continuation_byte(text[to])) {
    --to;
  }
  cut_front = from > 0;
  cut_back = to < text.size();
  return text.substr(from, to - from);
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        bool control = static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n';
        out += control || c == '\x7f' ? ' ' : c;
    }
  }
  return out;
}

std::string excerpt_html(std::string_view excerpt, std::size_t width) {
  bool cut_front = false, cut_back = false;
  std::string_view text = window(excerpt, width, cut_front, cut_back);
  std::string out = cut_front ? "&hellip;" : "";
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t open = text.find(kOpen, pos);
    if (open == std::string_view::npos) {
      out += html_escape(text.substr(pos));
      break;
    }
    out += html_escape(text.substr(pos, open - pos));
    std::size_t start = open + kOpen.size();
    std::size_t close = text.find(kClose, start);
    std::size_t end = close == std::string_view::npos ? text.size() : close;
    out += "<mark>" + html_escape(text.substr(start, end - start)) + "</mark>";
    pos = close == std::string_view::npos ? text.size() : close + kClose.size();
  }
  return out + (cut_back ? "&hellip;" : "");
}

std::string html_figure(double value, int digits) {
  if (!std::isfinite(value)) {
    return "-";
  }
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  std::string out = buffer;
  // "-0.0" reads as a negative figure that never was.
  return out.find_first_not_of("-0.") == std::string::npos ? out.substr(out[0] == '-' ? 1 : 0) : out;
}

}  // namespace cast::controller
