#include <doctest/doctest.h>

#include <string>

#include "controller/analysis/excerpt.h"

using namespace cast::controller;  // the code under test

TEST_CASE("mark_excerpt marks the foreign bytes with context and ellipses") {
  std::string payload = "0123456789abcdefghij";
  CHECK(cast::controller::mark_excerpt(payload, 10, 3, 4) == "...6789>>>abc<<<defg...");
  CHECK(cast::controller::mark_excerpt(payload, 0, 3, 4) == ">>>012<<<3456...");
  CHECK(cast::controller::mark_excerpt(payload, 17, 3, 4) == "...defg>>>hij<<<");
  CHECK(cast::controller::mark_excerpt(payload, 2, 3) == "01>>>234<<<56789abcdefghij");
  CHECK(cast::controller::mark_excerpt(payload, 18, 10, 1) == "...h>>>ij<<<");  // clamped to the end
  CHECK(cast::controller::mark_excerpt(payload, 99, 3, 2) == "...ij>>><<<");
  CHECK(cast::controller::mark_excerpt("", 0, 0) == ">>><<<");
}

TEST_CASE("mark_excerpt never cuts a UTF-8 sequence in half") {
  std::string payload = "\xC3\xA9\xC3\xA9\xC3\xA9XYZ\xC3\xA9\xC3\xA9\xC3\xA9";  // ééé XYZ ééé
  std::string excerpt = cast::controller::mark_excerpt(payload, 6, 3, 3);
  // 3 bytes back from X lands inside an é: it backs off to the é's first byte.
  CHECK(excerpt == "...\xC3\xA9\xC3\xA9>>>XYZ<<<\xC3\xA9...");
}
