#include "common/net/url.h"

#include <cctype>
#include <charconv>

namespace cast {
namespace {

std::uint16_t default_port(const std::string& scheme) {
  if (scheme == "http" || scheme == "ws") return 80;
  if (scheme == "https" || scheme == "wss") return 443;
  if (scheme == "postgresql" || scheme == "postgres") return 5432;
  if (scheme == "redis") return 6379;
  if (scheme == "clickhouse") return 8123;
  return 0;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void parse_query(const std::string& query, Url& url) {
  std::size_t start = 0;
  while (start < query.size()) {
    auto end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    auto pair = query.substr(start, end - start);
    auto eq = pair.find('=');
    if (!pair.empty()) {
      url.query[url_decode(pair.substr(0, eq))] = eq == std::string::npos ? "" : url_decode(pair.substr(eq + 1));
    }
    start = end + 1;
  }
}

void parse_authority(const std::string& text, const std::string& authority, Url& url) {
  auto at = authority.rfind('@');
  auto hostport = authority;
  if (at != std::string::npos) {
    auto userinfo = authority.substr(0, at);
    hostport = authority.substr(at + 1);
    auto colon = userinfo.find(':');
    url.user = url_decode(userinfo.substr(0, colon));
    if (colon != std::string::npos) url.password = url_decode(userinfo.substr(colon + 1));
  }
  std::string port_text;
  if (!hostport.empty() && hostport.front() == '[') {
    auto close = hostport.find(']');
    if (close == std::string::npos) throw UrlError("URL '" + text + "': unclosed '[' in host");
    url.host = hostport.substr(1, close - 1);
    if (close + 1 < hostport.size() && hostport[close + 1] == ':') port_text = hostport.substr(close + 2);
  } else {
    auto colon = hostport.rfind(':');
    url.host = hostport.substr(0, colon);
    if (colon != std::string::npos) port_text = hostport.substr(colon + 1);
  }
  if (url.host.empty()) throw UrlError("URL '" + text + "': no host");
  if (port_text.empty()) {
    url.port = default_port(url.scheme);
    return;
  }
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
  if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || value == 0 || value > 65535) {
    throw UrlError("URL '" + text + "': bad port '" + port_text + "'");
  }
  url.port = static_cast<std::uint16_t>(value);
}

}  // namespace

Url parse_url(const std::string& text) {
  Url url;
  auto sep = text.find("://");
  if (sep == std::string::npos || sep == 0)
    throw UrlError("URL '" + text + "': no scheme (expected e.g. http://host:port)");
  for (char c : text.substr(0, sep)) url.scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto rest = text.substr(sep + 3);
  auto slash = rest.find_first_of("/?");
  parse_authority(text, rest.substr(0, slash), url);
  url.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (url.target.front() == '?') url.target.insert(0, "/");
  auto question = url.target.find('?');
  url.path = url.target.substr(0, question);
  if (question != std::string::npos) parse_query(url.target.substr(question + 1), url);
  if (url.port == 0) throw UrlError("URL '" + text + "': no port and no default for scheme '" + url.scheme + "'");
  return url;
}

std::string Url::host_port() const {
  auto h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

std::string Url::origin() const { return scheme + "://" + host_port(); }

std::string url_decode(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else if (text[i] == '+') {
      out += ' ';
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string url_encode(const std::string& text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace cast
