#include "controller/report/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "controller/report/html_text.h"
#include "controller/report/svg_canvas.h"

namespace cast::controller {
namespace {

constexpr double kMarginLeft = 58, kMarginRight = 18, kMarginTop = 16, kMarginBottom = 42;

// A range that can be divided by: finite, hi above lo.
Range usable(Range r) {
  if (!std::isfinite(r.lo)) r.lo = 0;
  if (!std::isfinite(r.hi)) r.hi = r.lo + 1;
  if (r.hi <= r.lo) r.hi = r.lo + 1;
  return r;
}

// Tick labels: as many decimals as the step needs, no more.
std::string tick_label(double value, double step) {
  int digits = 0;
  for (double scaled = step; digits < 4 && std::abs(scaled - std::round(scaled)) > 1e-6 * scaled; scaled *= 10) {
    ++digits;
  }
  return html_figure(value, digits);
}

std::string text(double x, double y, const std::string& css, const std::string& anchor, const std::string& body) {
  return "<text x=\"" + svg_number(x) + "\" y=\"" + svg_number(y) + "\" class=\"" + css + "\" text-anchor=\"" + anchor +
         "\">" + html_escape(body) + "</text>";
}

std::string line(double x1, double y1, double x2, double y2, const std::string& css) {
  return "<line x1=\"" + svg_number(x1) + "\" y1=\"" + svg_number(y1) + "\" x2=\"" + svg_number(x2) + "\" y2=\"" +
         svg_number(y2) + "\" class=\"" + css + "\"/>";
}

}  // namespace

std::string svg_number(double value) { return std::isfinite(value) ? html_figure(value, 1) : "0"; }

std::vector<double> nice_ticks(Range range, int count) {
  Range r = usable(range);
  double raw = (r.hi - r.lo) / std::max(1, count);
  double magnitude = std::pow(10, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double factor : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    step = factor * magnitude;
    if (step >= raw) break;
  }
  std::vector<double> ticks;
  for (double t = std::ceil(r.lo / step) * step; t <= r.hi + step * 1e-9 && ticks.size() < 50; t += step) {
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0 : t);
  }
  return ticks;
}

Range range_for(double data_top, const std::vector<double>& wanted, double reach) {
  double top = std::isfinite(data_top) && data_top > 0 ? data_top : 0;
  double stretched = top;
  for (double w : wanted) {
    if (std::isfinite(w) && w > stretched && (top == 0 || w <= top * reach)) stretched = w;
  }
  return usable({0, stretched * 1.08});
}

SvgPlot::SvgPlot(const ChartFrame& frame)
    : frame_(frame),
      x_(usable(frame.x)),
      y_(usable(frame.y)),
      left_(kMarginLeft),
      right_(frame.width - kMarginRight),
      top_(kMarginTop),
      bottom_(frame.height - kMarginBottom) {}

double SvgPlot::px(double x) const {
  double share = std::isfinite(x) ? (x - x_.lo) / (x_.hi - x_.lo) : 0;
  return left_ + std::clamp(share, 0.0, 1.0) * (right_ - left_);
}

double SvgPlot::py(double y) const {
  double share = std::isfinite(y) ? (y - y_.lo) / (y_.hi - y_.lo) : 0;
  return bottom_ - std::clamp(share, 0.0, 1.0) * (bottom_ - top_);
}

std::string SvgPlot::open() const {
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart " + html_escape(frame_.css_class) +
                    "\" viewBox=\"0 0 " + std::to_string(frame_.width) + " " + std::to_string(frame_.height) +
                    "\" role=\"img\"><title>" + html_escape(frame_.title) + "</title>";
  return out + grid();
}

std::string SvgPlot::grid() const {
  std::string out;
  auto y_ticks = nice_ticks(y_, 4);
  double y_step = y_ticks.size() > 1 ? y_ticks[1] - y_ticks[0] : 1;
  for (double t : y_ticks) {
    out += line(left_, py(t), right_, py(t), "grid");
    out += text(left_ - 6, py(t) + 4, "tick", "end", tick_label(t, y_step));
  }
  auto x_ticks = nice_ticks(x_, 6);
  double x_step = x_ticks.size() > 1 ? x_ticks[1] - x_ticks[0] : 1;
  for (double t : x_ticks) {
    out += line(px(t), bottom_, px(t), bottom_ + 4, "axis");
    out += text(px(t), bottom_ + 16, "tick", "middle", tick_label(t, x_step));
  }
  out += line(left_, bottom_, right_, bottom_, "axis") + line(left_, top_, left_, bottom_, "axis");
  out += text((left_ + right_) / 2, frame_.height - 6, "axis-label", "middle", frame_.x_label);
  out += "<text class=\"axis-label\" text-anchor=\"middle\" transform=\"translate(14 " +
         svg_number((top_ + bottom_) / 2) + ") rotate(-90)\">" + html_escape(frame_.y_label) + "</text>";
  return out;
}

bool SvgPlot::off_scale(const Marker& marker, Range range) const {
  return marker.at > range.hi || marker.at < range.lo;
}

// Labels of nearby markers are staggered downwards so that they stay legible.
std::string SvgPlot::x_marker(const Marker& marker, int nth) const {
  double x = px(marker.at);
  bool right_half = x > (left_ + right_) * 0.6;
  return line(x, top_, x, bottom_, "marker " + marker.css) + text(right_half ? x - 4 : x + 4, top_ + 11 + 13 * nth,
                                                                  "marker-label " + marker.css,
                                                                  right_half ? "end" : "start", marker.label);
}

std::string SvgPlot::y_marker(const Marker& marker) const {
  double y = py(marker.at);
  return line(left_, y, right_, y, "marker " + marker.css) +
         text(right_ - 4, y - 4, "marker-label " + marker.css, "end", marker.label);
}

// Markers beyond the range (a limit far above the data) are named on one
// line above the plot, so that they never sit on top of the data's labels.
std::string SvgPlot::off_scale_note() const {
  std::string note;
  auto add = [&note](const Marker& marker, const char* arrow) {
    note += (note.empty() ? "" : "  \u00b7  ") + marker.label + " " + arrow;
  };
  for (const Marker& m : frame_.x_markers) {
    if (std::isfinite(m.at) && off_scale(m, x_)) add(m, m.at > x_.hi ? "\u2192" : "\u2190");
  }
  for (const Marker& m : frame_.y_markers) {
    if (std::isfinite(m.at) && off_scale(m, y_)) add(m, m.at > y_.hi ? "\u2191" : "\u2193");
  }
  return note.empty() ? "" : text(right_, 11, "off-scale", "end", "off scale: " + note);
}

std::string SvgPlot::close() const {
  std::string out;
  int nth = 0;
  for (const Marker& marker : frame_.x_markers) {
    if (std::isfinite(marker.at) && !off_scale(marker, x_)) out += x_marker(marker, nth++);
  }
  for (const Marker& marker : frame_.y_markers) {
    if (std::isfinite(marker.at) && !off_scale(marker, y_)) out += y_marker(marker);
  }
  return out + off_scale_note() + "</svg>";
}

std::string SvgPlot::empty() const {
  return open() + text((left_ + right_) / 2, (top_ + bottom_) / 2, "empty-note", "middle", frame_.empty_note) +
         "</svg>";
}

}  // namespace cast::controller
