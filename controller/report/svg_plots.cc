// The data layers of svg_chart.h's charts, over SvgPlot's frame.

#include <algorithm>

#include "controller/report/html_text.h"
#include "controller/report/svg_canvas.h"
#include "controller/report/svg_chart.h"

namespace cast::controller {
namespace {

constexpr std::size_t kDottedPoints = 40;

std::string point(const SvgPlot& plot, double x, double y) {
  return svg_number(plot.px(x)) + "," + svg_number(plot.py(y)) + " ";
}

std::string polyline(const SvgPlot& plot, const Series& series) {
  std::string points;
  for (std::size_t i = 0; i < series.points.size(); ++i) {
    const auto& [x, y] = series.points[i];
    if (series.steps && i > 0) points += point(plot, x, series.points[i - 1].second);
    points += point(plot, x, y);
  }
  std::string out = "<polyline class=\"series " + html_escape(series.css) + "\" points=\"" + points + "\"/>";
  // A line of a few samples gets its points drawn, so that two samples
  // close together still show.
  if (!series.steps && series.points.size() <= kDottedPoints) {
    for (const auto& [x, y] : series.points) {
      out += "<circle class=\"dot " + html_escape(series.css) + "\" cx=\"" + svg_number(plot.px(x)) + "\" cy=\"" +
             svg_number(plot.py(y)) + "\" r=\"3\"/>";
    }
  }
  return out;
}

// Colour keys above the plot, left to right.
std::string legend(const SvgPlot& plot, const std::vector<Series>& series) {
  std::string out = "<g class=\"legend\">";
  double x = plot.plot_left() + 6;
  for (const Series& s : series) {
    out += "<rect x=\"" + svg_number(x) + "\" y=\"2\" width=\"10\" height=\"10\" class=\"key " + html_escape(s.css) +
           "\"/><text x=\"" + svg_number(x + 14) + "\" y=\"11\" class=\"legend-text\">" + html_escape(s.name) +
           "</text>";
    x += 24 + 6.5 * static_cast<double>(s.name.size());
  }
  return out + "</g>";
}

bool no_points(const std::vector<Series>& series) {
  return std::all_of(series.begin(), series.end(), [](const Series& s) { return s.points.empty(); });
}

}  // namespace

std::string svg_bars(const ChartFrame& frame, const std::vector<Bar>& bars, const std::string& css) {
  SvgPlot plot{frame};
  if (bars.empty()) return plot.empty();
  std::string out = plot.open() + "<g class=\"bars " + html_escape(css) + "\">";
  for (const Bar& bar : bars) {
    double x0 = plot.px(bar.x0), x1 = plot.px(bar.x1), top = plot.py(bar.y);
    double width = std::max(0.5, x1 - x0 - 1);
    out += "<rect x=\"" + svg_number(x0) + "\" y=\"" + svg_number(top) + "\" width=\"" + svg_number(width) +
           "\" height=\"" + svg_number(plot.plot_bottom() - top) + "\"/>";
  }
  return out + "</g>" + plot.close();
}

std::string svg_lines(const ChartFrame& frame, const std::vector<Series>& series) {
  SvgPlot plot{frame};
  if (no_points(series)) return plot.empty();
  std::string out = plot.open();
  for (const Series& s : series) out += polyline(plot, s);
  if (series.size() > 1) out += legend(plot, series);
  return out + plot.close();
}

// Each layer is a polygon from its top edge back along the layer below.
std::string svg_stack(const ChartFrame& frame, const std::vector<Series>& layers) {
  SvgPlot plot{frame};
  if (no_points(layers)) return plot.empty();
  std::size_t n = layers.front().points.size();
  std::vector<double> below(n, 0.0);
  std::string out = plot.open();
  for (const Series& layer : layers) {
    std::vector<double> above = below;
    for (std::size_t i = 0; i < n && i < layer.points.size(); ++i) above[i] += layer.points[i].second;
    std::string points;
    for (std::size_t i = 0; i < n; ++i) points += point(plot, layers.front().points[i].first, above[i]);
    for (std::size_t i = n; i-- > 0;) points += point(plot, layers.front().points[i].first, below[i]);
    out += "<polygon class=\"layer " + html_escape(layer.css) + "\" points=\"" + points + "\"/>";
    below = std::move(above);
  }
  return out + legend(plot, layers) + plot.close();
}

}  // namespace cast::controller
