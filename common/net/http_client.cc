#include "common/net/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>

#include "common/net/tls_client.h"
#include "common/net/url.h"

namespace cast {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;

using Request = http::request<http::string_body>;

Request build_request(const HttpRequest& in, const Url& url) {
  auto verb = http::string_to_verb(in.method);
  if (verb == http::verb::unknown) throw HttpError("HTTP " + in.method + " " + in.url + ": unknown method");
  Request req{verb, url.target, 11};
  req.set(http::field::host, url.host_port());
  req.set(http::field::user_agent, "cast");
  for (const auto& [name, value] : in.headers) req.set(name, value);
  if (!in.body.empty() || verb == http::verb::post || verb == http::verb::put) {
    req.body() = in.body;
    req.prepare_payload();
  }
  return req;
}

HttpResponse to_response(http::response<http::string_body>& res) {
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  out.body = std::move(res.body());
  for (const auto& field : res) {
    std::string name{field.name_string()};
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string{field.value()};
  }
  return out;
}

template <class Stream>
HttpResponse exchange(Stream& stream, Request& req) {
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(256 * 1024 * 1024);
  http::read(stream, buffer, parser);
  auto res = parser.release();
  return to_response(res);
}

HttpResponse plain_exchange(asio::io_context& ioc, const Url& url, Request& req, std::chrono::milliseconds timeout) {
  asio::ip::tcp::resolver resolver{ioc};
  beast::tcp_stream stream{ioc};
  stream.expires_after(timeout);
  stream.connect(resolver.resolve(url.host, std::to_string(url.port)));
  auto res = exchange(stream, req);
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  return res;
}

HttpResponse tls_exchange(asio::io_context& ioc, const Url& url, Request& req, const HttpRequest& in) {
  const bool insecure = !in.verify_peer;
  auto ctx = make_tls_client_context(insecure);
  asio::ip::tcp::resolver resolver{ioc};
  beast::ssl_stream<beast::tcp_stream> stream{ioc, *ctx};
  if (auto ec = prepare_tls_stream(stream, url.host, insecure)) {
    throw HttpError("HTTP " + in.method + " " + in.url + ": TLS setup: " + ec.message());
  }
  beast::get_lowest_layer(stream).expires_after(in.timeout);
  beast::get_lowest_layer(stream).connect(resolver.resolve(url.host, std::to_string(url.port)));
  stream.handshake(asio::ssl::stream_base::client);
  return exchange(stream, req);
}

}  // namespace

HttpResponse http_request(const HttpRequest& in) {
  Url url;
  try {
    url = parse_url(in.url);
  } catch (const UrlError& e) {
    throw HttpError(std::string{"HTTP "} + in.method + ": " + e.what());
  }
  try {
    auto req = build_request(in, url);
    asio::io_context ioc;
    return url.tls() ? tls_exchange(ioc, url, req, in) : plain_exchange(ioc, url, req, in.timeout);
  } catch (const beast::system_error& e) {
    throw HttpError("HTTP " + in.method + " " + in.url + ": " + e.code().message());
  }
}

HttpResponse http_get(const std::string& url, std::chrono::milliseconds timeout) {
  return http_request(HttpRequest{"GET", url, {}, {}, timeout});
}

HttpResponse http_post(const std::string& url, const std::string& body, std::chrono::milliseconds timeout) {
  return http_request(HttpRequest{"POST", url, body, {}, timeout});
}

}  // namespace cast
