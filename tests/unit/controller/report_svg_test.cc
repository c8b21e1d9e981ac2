#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "controller/report/svg_chart.h"

using namespace cast::controller;  // the code under test

namespace {

// Every number an SVG attribute got is finite: no "nan", no "inf".
bool all_numbers_finite(const std::string& svg) {
  return svg.find("nan") == std::string::npos && svg.find("inf") == std::string::npos;
}

cast::controller::ChartFrame frame(const std::string& css) {
  cast::controller::ChartFrame f;
  f.css_class = css;
  f.title = "t";
  return f;
}

}  // namespace

TEST_CASE("svg numbers are finite, one decimal and never negative zero") {
  CHECK(cast::controller::svg_number(12.345) == "12.3");
  CHECK(cast::controller::svg_number(-0.0) == "0.0");
  CHECK(cast::controller::svg_number(-0.04) == "0.0");
  CHECK(cast::controller::svg_number(std::numeric_limits<double>::quiet_NaN()) == "0");
  CHECK(cast::controller::svg_number(std::numeric_limits<double>::infinity()) == "0");
  CHECK(cast::controller::svg_number(-3.25) == "-3.2");
}

TEST_CASE("a chart without data draws its frame and says so, with finite numbers only") {
  auto f = frame("latency-histogram");
  f.empty_note = "no startups measured";
  f.x = {0, 0};  // a degenerate range
  f.y = {std::numeric_limits<double>::quiet_NaN(), 0};
  f.x_markers = {{std::numeric_limits<double>::quiet_NaN(), "P95", "mark-pct"}};
  for (const std::string& svg : {cast::controller::svg_bars(f, {}, "bars"), cast::controller::svg_lines(f, {}),
                                 cast::controller::svg_stack(f, {}),
                                 cast::controller::svg_lines(f, {cast::controller::Series{"a", "s-a", {}, true}})}) {
    CHECK(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart latency-histogram\""));
    CHECK(svg.ends_with("</svg>"));
    CHECK(svg.find("no startups measured") != std::string::npos);
    CHECK(all_numbers_finite(svg));
    CHECK(svg.find("<rect") == std::string::npos);
  }
}

TEST_CASE("bars, lines and stacks stay inside the plot whatever the values") {
  auto f = frame("c");
  f.x = {0, 10};
  f.y = {0, 5};
  double huge = 1e300;
  auto bars = cast::controller::svg_bars(f, {{0, 1, 3}, {2, 3, huge}, {-huge, huge, -huge}}, "bars");
  CHECK(all_numbers_finite(bars));
  CHECK(bars.find("<rect x=\"58.0\" y=\"") != std::string::npos);  // the first bar starts at the plot's left
  auto lines = cast::controller::svg_lines(
      f, {{"a", "s-a", {{0, 0}, {5, huge}, {std::nan(""), 1}}, true}, {"b", "s-b", {{1, 1}}, false}});
  CHECK(all_numbers_finite(lines));
  CHECK(lines.find("class=\"legend\"") != std::string::npos);  // two series get a legend
  auto stack = cast::controller::svg_stack(
      f, {{"done", "s-done", {{0, 1}, {10, 2}}, false}, {"failed", "s-failed", {{0, 1}, {10, 1}}, false}});
  CHECK(stack.find("<polygon class=\"layer s-done\"") != std::string::npos);
  CHECK(stack.find("<polygon class=\"layer s-failed\"") != std::string::npos);
  CHECK(all_numbers_finite(stack));
}

TEST_CASE("markers inside the range are lines, markers beyond it are named as off scale") {
  auto f = frame("c");
  f.x = {0, 100};
  f.y = {0, 10};
  f.x_markers = {{50, "P95 50 ms", "mark-pct"}, {5000, "P95 limit 5 s", "mark-limit"}};
  f.y_markers = {{4096, "limit 4096 MB", "mark-limit"}};
  auto svg = cast::controller::svg_bars(f, {{0, 10, 5}}, "bars");
  CHECK(svg.find("class=\"marker mark-pct\"") != std::string::npos);
  CHECK(svg.find(">P95 50 ms</text>") != std::string::npos);
  CHECK(svg.find("class=\"off-scale\"") != std::string::npos);
  CHECK(svg.find("off scale: P95 limit 5 s \u2192  \u00b7  limit 4096 MB \u2191") != std::string::npos);
  CHECK(svg.find("class=\"marker mark-limit\"") == std::string::npos);
}

TEST_CASE("ticks are round numbers covering the range, and a far limit does not flatten the data") {
  auto ticks = cast::controller::nice_ticks({0, 1}, 4);
  REQUIRE(ticks.size() == 5);
  CHECK(ticks[1] == doctest::Approx(0.25));
  CHECK(ticks.back() == doctest::Approx(1.0));
  CHECK(cast::controller::nice_ticks({0, 0}, 4).size() >= 2);  // a degenerate range still has an axis
  auto f = frame("c");
  f.y = {0, 1};
  CHECK(cast::controller::svg_bars(f, {{0, 1, 1}}, "bars").find(">0.25</text>") !=
        std::string::npos);  // labels as exact as the step
  auto near = cast::controller::range_for(100, {200});
  CHECK(near.hi >= 200);
  auto far = cast::controller::range_for(100, {5000});
  CHECK(far.hi < 200);
  CHECK(far.hi >= 100);
  auto none = cast::controller::range_for(0, {});
  CHECK(none.hi > none.lo);
  CHECK(std::isfinite(cast::controller::range_for(std::nan(""), {std::nan("")}).hi));
}
