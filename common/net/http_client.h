#pragma once

#include <chrono>
#include <map>
#include <stdexcept>
#include <string>

namespace cast {

// Control-plane exchanges (health checks, store queries, scrapes) unless a
// caller says otherwise.
inline constexpr std::chrono::milliseconds kHttpTimeout{10'000};  // ms; whole exchange

struct HttpResponse {
  int status{0};
  std::string body;
  std::map<std::string, std::string> headers;  // names in lower case
};

// Raised when no HTTP answer could be had at all (refused, timed out, TLS
// failure); the message names the method and URL. A 4xx/5xx is an answer,
// not an error.
class HttpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct HttpRequest {
  std::string method{"GET"};
  std::string url;
  std::string body;
  std::map<std::string, std::string> headers;
  std::chrono::milliseconds timeout{kHttpTimeout};  // ms; whole exchange
  bool verify_peer{true};                           // https only
};

// A blocking one-shot HTTP/1.1 client for control-plane traffic: health
// checks, ClickHouse queries and inserts, scraping /metrics. Never for the
// measured load, which runs on the workers' event loops.
HttpResponse http_request(const HttpRequest& request);

HttpResponse http_get(const std::string& url, std::chrono::milliseconds timeout = kHttpTimeout);
HttpResponse http_post(const std::string& url, const std::string& body,
                       std::chrono::milliseconds timeout = kHttpTimeout);

}  // namespace cast
