// Parsing of the request head the monitoring endpoint accepts.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace txstream::monitoring {

/// The parts of an HTTP/1.x request line the endpoint routes on.
struct http_request {
  std::string method;
  std::string path; // without query string
};

/// Parses "METHOD SP target SP HTTP/1.x" from the start of `head`; nullopt
/// for anything else (binary garbage, missing version, absolute-form junk).
std::optional<http_request> parse_request_line(std::string_view head);

} // namespace txstream::monitoring
