#pragma once

#include <string>

namespace cast {

// `url` fit for error messages and logs: the password of the user part and
// any `password=` query parameter replaced by "***".
std::string redacted_url(const std::string& url);

// `text` (say, a library's error message) with every occurrence of `url`'s
// passwords replaced by "***".
std::string without_passwords_of(const std::string& url, std::string text);

}  // namespace cast
