#include "monitoring/http_request.hpp"

#include <algorithm>

namespace txstream::monitoring {

namespace {

bool is_token_char(char c) {
  // RFC 9110 tchar, restricted to what real methods use.
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-'
         || c == '_';
}

bool is_target_char(char c) {
  return c > 0x20 && c < 0x7f;
}

} // namespace

std::optional<http_request> parse_request_line(std::string_view head) {
  auto eol = head.find("\r\n");
  if (eol == std::string_view::npos)
    eol = head.find('\n'); // tolerate bare LF like most servers
  if (eol == std::string_view::npos)
    return std::nullopt;
  auto line = head.substr(0, eol);
  auto sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || sp1 == 0 || sp1 > 16)
    return std::nullopt;
  auto sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp2 == sp1 + 1)
    return std::nullopt;
  auto method = line.substr(0, sp1);
  auto target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  auto version = line.substr(sp2 + 1);
  if (!std::all_of(method.begin(), method.end(), is_token_char)
      || !std::all_of(target.begin(), target.end(), is_target_char)
      || (target.front() != '/' && target != "*")
      || (version != "HTTP/1.1" && version != "HTTP/1.0"))
    return std::nullopt;
  auto path = target.substr(0, target.find('?'));
  return http_request{std::string{method}, std::string{path}};
}

} // namespace txstream::monitoring
