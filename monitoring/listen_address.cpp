#include "monitoring/listen_address.hpp"

#include <cerrno>
#include <cstring>

#include <netdb.h>  // getaddrinfo
#include <netinet/in.h>
#include <sys/time.h>
#include <unistd.h>

namespace txstream::monitoring {

std::optional<listen_address> resolve_listen_address(const std::string& host, std::uint16_t port,
                                                     bool with_ipv6, std::string& why) {
  addrinfo hints{};
  hints.ai_family = with_ipv6 ? AF_UNSPEC : AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  auto service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints,
                             &found);
      rc != 0) {
    why = ::gai_strerror(rc);
    return std::nullopt;
  }
  listen_address result;
  std::memcpy(&result.address, found->ai_addr, found->ai_addrlen);
  result.length = found->ai_addrlen;
  bool v6 = found->ai_family == AF_INET6;
  ::freeaddrinfo(found);
  char numeric[NI_MAXHOST];
  if (int rc = ::getnameinfo(reinterpret_cast<sockaddr*>(&result.address), result.length, numeric,
                             sizeof(numeric), nullptr, 0, NI_NUMERICHOST);
      rc != 0) {
    why = ::gai_strerror(rc);
    return std::nullopt;
  }
  result.spec = v6 ? "[" + std::string{numeric} + "]" : std::string{numeric};
  result.spec += ":" + service;
  return result;
}

int listen_error(const listen_address& where) {
  int fd = ::socket(where.address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return errno;
  // As civetweb does: connections of an earlier server in TIME_WAIT must
  // not count as a busy port.
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  int err = 0;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&where.address), where.length) != 0
      || ::listen(fd, 1) != 0)
    err = errno;
  ::close(fd);
  return err;
}

void knock(const listen_address& where, std::uint16_t port) {
  auto to = where.address;
  if (to.ss_family == AF_INET) {
    auto& in = reinterpret_cast<sockaddr_in&>(to);
    if (in.sin_addr.s_addr == htonl(INADDR_ANY))
      in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    in.sin_port = htons(port);
  } else if (to.ss_family == AF_INET6) {
    auto& in6 = reinterpret_cast<sockaddr_in6&>(to);
    if (IN6_IS_ADDR_UNSPECIFIED(&in6.sin6_addr))
      in6.sin6_addr = in6addr_loopback;
    in6.sin6_port = htons(port);
  }
  int fd = ::socket(to.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return;
  // A local connect completes or is refused at once; the bound only guards
  // against a full backlog.
  timeval limit{0, 100000};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof(limit));
  ::connect(fd, reinterpret_cast<const sockaddr*>(&to), where.length);
  ::close(fd);
}

}  // namespace txstream::monitoring
