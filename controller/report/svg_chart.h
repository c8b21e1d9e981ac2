#pragma once

// Chart primitives for the HTML report, drawn as inline SVG by our own code
// (the report opens offline: no script, no chart library). Every number
// written is finite; a chart without data still draws its frame and says so.

#include <string>
#include <utility>
#include <vector>

namespace cast::controller {

struct Range {
  double lo{0};
  double hi{1};
};

// A reference line across the plot: a percentile (on x) or a limit.
struct Marker {
  double at{0};
  std::string label;  // e.g. "P95 42.1 ms"
  std::string css;    // class of line and label, e.g. "mark-pct", "mark-limit"
};

// What every chart has: size, scales, axis labels and reference lines.
// Markers beyond the range are named at the plot's edge as off scale.
struct ChartFrame {
  std::string css_class;  // on the <svg>, e.g. "latency-histogram"
  std::string title;      // <title>, for screen readers and tooltips
  std::string x_label, y_label;
  Range x, y;
  std::vector<Marker> x_markers, y_markers;
  std::string empty_note{"no data"};
  int width{660};
  int height{250};
};

struct Bar {
  double x0{0}, x1{0}, y{0};
};

// A line of (x, y) points; `steps` draws it as a staircase (a CDF).
struct Series {
  std::string name;
  std::string css;  // e.g. "s-started"
  std::vector<std::pair<double, double>> points;
  bool steps{false};
};

// Bars from x0 to x1, height y.
std::string svg_bars(const ChartFrame& frame, const std::vector<Bar>& bars, const std::string& css);
// One or more lines with a legend when there are several.
std::string svg_lines(const ChartFrame& frame, const std::vector<Series>& series);
// Layers stacked bottom-up over shared x positions (each layer's points
// have the same x values, in order).
std::string svg_stack(const ChartFrame& frame, const std::vector<Series>& layers);

// A coordinate for an SVG attribute: one decimal, never NaN, inf or "-0".
std::string svg_number(double value);

// Round tick positions covering `range`, about `count` of them.
std::vector<double> nice_ticks(Range range, int count);

// [0, top] over the data, stretched to take in each wanted value (a limit)
// no further than `reach` times the data's top, so that a far limit does
// not flatten the data; a limit left out shows as off scale.
Range range_for(double data_top, const std::vector<double>& wanted, double reach = 3);

}  // namespace cast::controller
