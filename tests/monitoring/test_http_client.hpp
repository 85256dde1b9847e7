// A blocking HTTP/1.x client for tests: sends raw bytes, reads to EOF.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include <arpa/inet.h>  // inet_pton
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace txstream::monitoring::test {

struct http_reply {
  int status = 0;
  std::string head;  // status line and headers
  std::string body;
};

/// A blocking TCP connection to 127.0.0.1:`port`; the caller closes it.
inline int connect_loopback(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    throw std::runtime_error("connect failed");
  }
  return fd;
}

/// Reads from `fd` until the server closes it (or sends nothing for 5 s)
/// and splits status, head and body.
inline http_reply read_reply(int fd) {
  std::string raw;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0)
      break;
    auto n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0)
      break;
    raw.append(buf, static_cast<std::size_t>(n));
  }
  http_reply reply;
  auto split = raw.find("\r\n\r\n");
  reply.head = raw.substr(0, split);
  if (split != std::string::npos)
    reply.body = raw.substr(split + 4);
  // civetweb answers a request it cannot parse with "HTTP/1.0".
  if ((raw.compare(0, 9, "HTTP/1.1 ") == 0 || raw.compare(0, 9, "HTTP/1.0 ") == 0)
      && raw.size() >= 12)
    reply.status = std::stoi(raw.substr(9, 3));
  return reply;
}

/// Connects to 127.0.0.1:`port`, writes `request` verbatim and reads the
/// reply (read_reply).
inline http_reply raw_http(std::uint16_t port, const std::string& request) {
  int fd = connect_loopback(port);
  for (std::size_t sent = 0; sent < request.size();) {
    auto n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0)
      break;  // the server may answer 400 and close early
    sent += static_cast<std::size_t>(n);
  }
  auto reply = read_reply(fd);
  ::close(fd);
  return reply;
}

inline http_reply http_get(std::uint16_t port, const std::string& path) {
  return raw_http(port, "GET " + path
                          + " HTTP/1.1\r\nHost: localhost\r\n"
                            "Connection: close\r\n\r\n");
}

}  // namespace txstream::monitoring::test
