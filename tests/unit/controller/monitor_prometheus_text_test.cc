#include <doctest/doctest.h>

#include <cmath>

#include "controller/monitor/prometheus_text.h"

using namespace cast::controller;  // the code under test

using namespace cast::controller;

TEST_CASE("monitor: exposition text gives name, labels and value per sample line") {
  auto samples = parse_prometheus_text(
      "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
      "# TYPE process_resident_memory_bytes gauge\n"
      "process_resident_memory_bytes 1.2345e+08\n"
      "\n"
      "http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000\n"
      "process_cpu_seconds_total 12.5\r\n");
  REQUIRE(samples.size() == 3);
  CHECK(samples[0].name == "process_resident_memory_bytes");
  CHECK(samples[0].labels.empty());
  CHECK(samples[0].value == doctest::Approx(123450000.0));
  CHECK(samples[1].name == "http_requests_total");
  CHECK(samples[1].labels.at("method") == "post");
  CHECK(samples[1].labels.at("code") == "200");
  CHECK(samples[1].value == 1027);  // the timestamp is not the value
  CHECK(samples[2].value == 12.5);
}

TEST_CASE("monitor: label values keep escaped quotes, backslashes, newlines, commas and braces") {
  auto samples = parse_prometheus_text("msg{text=\"say \\\"hi\\\", {ok}\",path=\"C:\\\\x\",nl=\"a\\nb\",} 1\n");
  REQUIRE(samples.size() == 1);
  CHECK(samples[0].labels.at("text") == "say \"hi\", {ok}");
  CHECK(samples[0].labels.at("path") == "C:\\x");
  CHECK(samples[0].labels.at("nl") == "a\nb");
}

TEST_CASE("monitor: special and signed values") {
  auto samples = parse_prometheus_text(
      "h_bucket{le=\"+Inf\"} +Inf\n"
      "a -Inf\n"
      "b NaN\n"
      "c -3.5E-2\n"
      "d +7\n");
  REQUIRE(samples.size() == 5);
  CHECK(samples[0].labels.at("le") == "+Inf");
  CHECK(std::isinf(samples[0].value));
  CHECK(samples[0].value > 0);
  CHECK(std::isinf(samples[1].value));
  CHECK(samples[1].value < 0);
  CHECK(std::isnan(samples[2].value));
  CHECK(samples[3].value == doctest::Approx(-0.035));
  CHECK(samples[4].value == 7);
}

TEST_CASE("monitor: malformed lines are skipped without hiding the good ones") {
  auto samples = parse_prometheus_text(
      "broken{a=\"x\" 1\n"
      "novalue\n"
      "bad_value 12abc\n"
      "{a=\"b\"} 3\n"
      "process_cpu_seconds_total 4\n");
  REQUIRE(samples.size() == 1);
  CHECK(first_value(samples, "process_cpu_seconds_total") == 4);
  CHECK_FALSE(first_value(samples, "process_resident_memory_bytes"));
}

TEST_CASE("monitor: first_value takes the first sample of that name, whatever its labels") {
  auto samples = parse_prometheus_text("x{a=\"1\"} 10\nx{a=\"2\"} 20\nxy 30\n");
  CHECK(first_value(samples, "x") == 10);
  CHECK(first_value(samples, "xy") == 30);
}
