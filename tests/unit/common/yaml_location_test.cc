#include "common/text/yaml_location.h"

#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

namespace {

YAML::Mark mark_of_error(const std::string& text) {
  try {
    YAML::Load(text);
  } catch (const YAML::Exception& error) {
    return error.mark;
  }
  FAIL("the document parsed");
  return YAML::Mark::null_mark();
}

}  // namespace

TEST_CASE("yaml location: a node read from text is placed 1-based, line and column") {
  const auto root = YAML::Load("users: 5\nthresholds:\n  p95_s: 3\n");
  const YAML::Node& thresholds = root["thresholds"];
  const auto key = thresholds.begin()->first;
  const auto at = cast::yaml_location(key.Mark());
  REQUIRE(at.has_value());
  CHECK(at->line == 3);
  CHECK(at->column == 3);
  CHECK(cast::yaml_where("cast.yaml", key.Mark()) == "cast.yaml:3:3");
  CHECK(cast::yaml_line(key.Mark()) == "3");
}

TEST_CASE("yaml location: a parse error is placed where the parser stopped") {
  const auto mark = mark_of_error("a: 1\nb: [1, 2\n");
  REQUIRE(cast::yaml_location(mark).has_value());
  CHECK(cast::yaml_line(mark) != "?");
  CHECK(cast::yaml_where("x.yaml", mark).rfind("x.yaml:", 0) == 0);
}

TEST_CASE("yaml location: a node built in code points nowhere, and says so") {
  const YAML::Node built(42);
  CHECK_FALSE(cast::yaml_location(built.Mark()).has_value());
  CHECK(cast::yaml_where("cast.yaml", built.Mark()) == "cast.yaml");
  CHECK(cast::yaml_line(built.Mark()) == "?");
}
