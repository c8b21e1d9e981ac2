#include "common/net/redacted_url.h"

#include "common/net/url.h"

namespace cast {

namespace {

std::string without_userinfo_password(std::string url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    return url;
  }
  const auto authority = scheme_end + 3;
  const auto at = url.find('@', authority);
  const auto path = url.find_first_of("/?#", authority);
  if (at == std::string::npos || (path != std::string::npos && path < at)) {
    return url;
  }
  const auto colon = url.find(':', authority);
  if (colon == std::string::npos || colon > at) {
    return url;
  }
  return url.replace(colon + 1, at - colon - 1, "***");
}

std::string without_password_parameter(std::string url) {
  const auto query = url.find('?');
  if (query == std::string::npos) {
    return url;
  }
  for (auto at = url.find("password=", query); at != std::string::npos; at = url.find("password=", at + 1)) {
    const char before = url[at - 1];
    if (before != '?' && before != '&') {
      continue;
    }
    const auto value = at + 9;
    const auto end = url.find_first_of("&#", value);
    url.replace(value, (end == std::string::npos ? url.size() : end) - value, "***");
  }
  return url;
}

}  // namespace

std::string redacted_url(const std::string& url) { return without_password_parameter(without_userinfo_password(url)); }

std::string without_passwords_of(const std::string& url, std::string text) {
  Url parsed;
  try {
    parsed = parse_url(url);
  } catch (const UrlError&) {
    return text;
  }
  const auto query_password = parsed.query.find("password");
  for (const auto* secret :
       {&parsed.password, query_password == parsed.query.end() ? nullptr : &query_password->second}) {
    if (secret == nullptr || secret->empty()) {
      continue;
    }
    for (auto at = text.find(*secret); at != std::string::npos; at = text.find(*secret, at + 3)) {
      text.replace(at, secret->size(), "***");
    }
  }
  return text;
}

}  // namespace cast
