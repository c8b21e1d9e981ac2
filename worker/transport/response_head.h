#pragma once

// Narrow header (pulls in Beast HTTP): for worker/transport .cc files only.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/write.hpp>
#include <sstream>
#include <string>

namespace cast::worker {

// A response's status line and header fields as text, the way Beast puts
// them on the wire: what a user received before the body is evidence too.
template <class Fields>
std::string response_head(const boost::beast::http::header<false, Fields>& head) {
  std::ostringstream text;
  text << head;
  return text.str();
}

}  // namespace cast::worker
