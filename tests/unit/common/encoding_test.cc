#include <doctest/doctest.h>

#include "common/crypto/encoding.h"
#include "common/crypto/hmac.h"

TEST_CASE("base64 matches the RFC 4648 test vectors") {
  CHECK(cast::base64_encode("") == "");
  CHECK(cast::base64_encode("f") == "Zg==");
  CHECK(cast::base64_encode("fo") == "Zm8=");
  CHECK(cast::base64_encode("foo") == "Zm9v");
  CHECK(cast::base64_encode("foobar") == "Zm9vYmFy");
  CHECK(cast::base64_decode("Zm9vYg==").value() == "foob");
  CHECK(cast::base64url_encode("\xfb\xff") == "-_8");
  CHECK(cast::base64url_decode("-_8").value() == "\xfb\xff");
}

TEST_CASE("base64 decoders reject what no encoder produces") {
  CHECK_FALSE(cast::base64_decode("Zm9v!").has_value());
  CHECK_FALSE(cast::base64url_decode("Zm9v+").has_value());
  CHECK_FALSE(cast::base64url_decode("Z").has_value());
}

TEST_CASE("hmac_sha256 matches RFC 4231 test case 2") {
  auto mac = cast::hmac_sha256("Jefe", "what do ya want for nothing?");
  CHECK(cast::hex_encode(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(cast::constant_time_equal(mac, cast::hmac_sha256("Jefe", "what do ya want for nothing?")));
  CHECK_FALSE(cast::constant_time_equal(mac, cast::hmac_sha256("Jefe", "what do ya want for nothing!")));
}

TEST_CASE("random_bytes gives distinct values of the asked length") {
  auto a = cast::random_bytes(16);
  CHECK(a.size() == 16);
  CHECK(a != cast::random_bytes(16));
}
