#include "config/cluster_config.hpp"

#include <cctype>

namespace txstream {

parsed_roles parse_roles(const std::string& roles) {
  parsed_roles out;
  std::size_t start = 0;
  while (start <= roles.size()) {
    auto end = roles.find(',', start);
    if (end == std::string::npos)
      end = roles.size();
    auto role = roles.substr(start, end - start);
    while (!role.empty() && std::isspace(static_cast<unsigned char>(role.front())))
      role.erase(role.begin());
    while (!role.empty() && std::isspace(static_cast<unsigned char>(role.back())))
      role.pop_back();
    if (role == "ingest" || role == "detect") {
      out.roles.ingest = true;
    } else if (role == "aggregate") {
      out.roles.aggregate = true;
    } else {
      out.bad = role;
      return out;
    }
    start = end + 1;
  }
  out.ok = out.roles.ingest || out.roles.aggregate;
  if (!out.ok)
    out.bad = roles;
  return out;
}

bool split_host_port(const std::string& address, std::string& host, std::uint16_t& port) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size())
    return false;
  unsigned long value = 0;
  for (auto i = colon + 1; i < address.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(address[i])))
      return false;
    value = value * 10 + static_cast<unsigned long>(address[i] - '0');
    if (value > 65535)
      return false;
  }
  if (value == 0)
    return false;
  host = address.substr(0, colon);
  port = static_cast<std::uint16_t>(value);
  return true;
}

}  // namespace txstream
