#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

namespace cast {

// The parts of a service URL that cast needs: http(s)://, ws(s)://,
// postgresql://, redis://. Boost 1.74 has no Boost.URL, hence this.
struct Url {
  std::string scheme;                        // lower case, e.g. "http"
  std::string user;                          // may be empty
  std::string password;                      // may be empty
  std::string host;                          // without brackets for IPv6
  std::uint16_t port{0};                     // the scheme's default when the URL names none
  std::string target;                        // path and query, at least "/"
  std::string path;                          // path only, at least "/"
  std::map<std::string, std::string> query;  // decoded query parameters

  bool tls() const { return scheme == "https" || scheme == "wss"; }
  std::string host_port() const;  // "host:port", bracketed for IPv6
  std::string origin() const;     // "scheme://host:port"
};

class UrlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws UrlError naming the URL and what is wrong with it.
Url parse_url(const std::string& text);

std::string url_decode(const std::string& text);
std::string url_encode(const std::string& text);

}  // namespace cast
