#include <doctest/doctest.h>

#include "common/net/url.h"

TEST_CASE("parse_url splits a full URL into its parts") {
  auto url = cast::parse_url("postgresql://cast:s%40cret@127.0.0.1:5544/castdb?sslmode=disable");
  CHECK(url.scheme == "postgresql");
  CHECK(url.user == "cast");
  CHECK(url.password == "s@cret");
  CHECK(url.host == "127.0.0.1");
  CHECK(url.port == 5544);
  CHECK(url.path == "/castdb");
  CHECK(url.query.at("sslmode") == "disable");
}

TEST_CASE("parse_url fills in scheme default ports and a root target") {
  CHECK(cast::parse_url("ws://localhost").port == 80);
  CHECK(cast::parse_url("wss://localhost").port == 443);
  CHECK(cast::parse_url("redis://127.0.0.1").port == 6379);
  CHECK(cast::parse_url("http://h:81").target == "/");
  CHECK(cast::parse_url("http://h:81?a=1").target == "/?a=1");
  CHECK(cast::parse_url("http://[::1]:9000/x").host == "::1");
  CHECK(cast::parse_url("http://[::1]:9000/x").host_port() == "[::1]:9000");
}

TEST_CASE("parse_url rejects malformed URLs naming the URL") {
  CHECK_THROWS_WITH_AS(cast::parse_url("127.0.0.1:80"), doctest::Contains("127.0.0.1:80"), cast::UrlError);
  CHECK_THROWS_AS(cast::parse_url("http://:80/"), cast::UrlError);
  CHECK_THROWS_AS(cast::parse_url("http://h:99999/"), cast::UrlError);
  CHECK_THROWS_AS(cast::parse_url("http://h:8x/"), cast::UrlError);
  CHECK_THROWS_AS(cast::parse_url("gopher://h/"), cast::UrlError);
}

TEST_CASE("url_encode and url_decode round-trip") {
  std::string raw = "a b/c?d=e&f%+";
  CHECK(cast::url_decode(cast::url_encode(raw)) == raw);
}
