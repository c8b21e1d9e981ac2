#pragma once

// The frame every chart of svg_chart.h shares: scales from data to pixels,
// grid, axes, reference lines. Internal to controller/report.

#include <string>

#include "controller/report/svg_chart.h"

namespace cast::controller {

class SvgPlot {
 public:
  explicit SvgPlot(const ChartFrame& frame);

  double px(double x) const;  // data x -> pixels, clamped to the plot
  double py(double y) const;  // data y -> pixels, clamped to the plot
  double plot_left() const { return left_; }
  double plot_bottom() const { return bottom_; }

  // <svg>, <title>, grid and axes.
  std::string open() const;
  // Reference lines and their labels, then </svg>.
  std::string close() const;
  // The frame with its empty note instead of data.
  std::string empty() const;

 private:
  std::string grid() const;
  std::string x_marker(const Marker& marker, int nth) const;
  std::string y_marker(const Marker& marker) const;
  std::string off_scale_note() const;
  bool off_scale(const Marker& marker, Range range) const;

  const ChartFrame& frame_;
  Range x_, y_;
  double left_, right_, top_, bottom_;
};

}  // namespace cast::controller
