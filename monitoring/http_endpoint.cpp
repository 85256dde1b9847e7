#include "monitoring/http_endpoint.hpp"

#include <algorithm>
#include <cerrno>
#include <system_error>

#include <fcntl.h>      // pipe2 flags
#include <netdb.h>      // getaddrinfo
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "monitoring/http_request.hpp"

namespace txstream::monitoring {

namespace {

using clock_type = std::chrono::steady_clock;

std::string response(const char* status, const char* content_type,
                     const std::string& body, const char* extra = "") {
  std::string out;
  out.reserve(body.size() + 160);
  out += "HTTP/1.1 ";
  out += status;
  out += "\r\nContent-Type: ";
  out += content_type;
  out += "\r\nContent-Length: ";
  out += std::to_string(body.size());
  out += "\r\nCache-Control: no-store\r\nConnection: close\r\n";
  out += extra;
  out += "\r\n";
  out += body;
  return out;
}

std::string text_response(const char* status, const std::string& body,
                          const char* extra = "") {
  return response(status, "text/plain; charset=utf-8", body + "\n", extra);
}

std::string run_check(const std::function<check_result()>& check,
                      const char* ok_body) {
  check_result result;
  try {
    if (check)
      result = check();
  } catch (const std::exception& e) {
    result = {false, std::string{"check failed: "} + e.what()};
  } catch (...) {
    result = {false, "check failed"};
  }
  if (result.ok)
    return text_response("200 OK", ok_body);
  return text_response("503 Service Unavailable",
                       result.reason.empty() ? "unavailable" : result.reason);
}

// The request head is complete at the first empty line.
bool head_complete(const std::string& buf) {
  return buf.find("\r\n\r\n") != std::string::npos
         || buf.find("\n\n") != std::string::npos;
}

} // namespace

http_endpoint::http_endpoint(http_endpoint_config config,
                             const metrics_registry& registry,
                             health_checks checks)
  : config_(std::move(config)), registry_(registry), checks_(std::move(checks)) {
  auto where = config_.host + ":" + std::to_string(config_.port);
  auto fail = [&](int err, const std::string& what) {
    for (int fd : {listen_fd_, wake_read_, wake_write_})
      if (fd >= 0)
        ::close(fd);
    throw std::system_error(err, std::generic_category(),
                            "http_endpoint: " + what + " " + where);
  };
  int wake[2];
  if (::pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0)
    fail(errno, "cannot create wake pipe for");
  wake_read_ = wake[0];
  wake_write_ = wake[1];
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* addrs = nullptr;
  auto port_str = std::to_string(config_.port);
  auto host = config_.host.empty() ? nullptr : config_.host.c_str();
  if (int rc = ::getaddrinfo(host, port_str.c_str(), &hints, &addrs); rc != 0)
    fail(EINVAL, std::string{"cannot resolve ("} + ::gai_strerror(rc) + ")");
  int err = EADDRNOTAVAIL;
  for (auto* ai = addrs; ai != nullptr && listen_fd_ < 0; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family,
                      ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                      ai->ai_protocol);
    if (fd < 0) {
      err = errno;
      continue;
    }
    // Lets a restarted node rebind while old connections sit in TIME_WAIT;
    // on Linux it still refuses a port another socket listens on.
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) != 0
        || ::listen(fd, SOMAXCONN) != 0) {
      err = errno;
      ::close(fd);
      continue;
    }
    listen_fd_ = fd;
  }
  ::freeaddrinfo(addrs);
  if (listen_fd_ < 0)
    fail(err, "cannot listen on");
  sockaddr_storage bound{};
  socklen_t len = sizeof(bound);
  if (::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len)
      != 0)
    fail(errno, "cannot read bound address of");
  char serv[NI_MAXSERV];
  if (::getnameinfo(reinterpret_cast<sockaddr*>(&bound), len, nullptr, 0, serv,
                    sizeof(serv), NI_NUMERICSERV)
      != 0)
    fail(EINVAL, "cannot read bound port of");
  port_ = static_cast<std::uint16_t>(std::stoi(serv));
  thread_ = std::thread{[this] { run(); }};
}

http_endpoint::~http_endpoint() {
  char byte = 1;
  // A full pipe already holds a wake-up, so a failed write is harmless.
  [[maybe_unused]] auto n = ::write(wake_write_, &byte, 1);
  if (thread_.joinable())
    thread_.join();
  ::close(listen_fd_);
  ::close(wake_read_);
  ::close(wake_write_);
}

bool http_endpoint::wait(int fd, short events,
                         clock_type::time_point deadline) const {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - clock_type::now());
    if (left.count() <= 0)
      return false;
    pollfd fds[2] = {{fd, events, 0}, {wake_read_, POLLIN, 0}};
    int rc = ::poll(fds, 2, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR)
      continue;
    if (rc <= 0 || (fds[1].revents & POLLIN) != 0)
      return false;
    return fds[0].revents != 0;
  }
}

void http_endpoint::run() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_read_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      return;
    }
    if ((fds[1].revents & POLLIN) != 0)
      return;
    int client = ::accept4(listen_fd_, nullptr, nullptr,
                           SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (client < 0) {
      if (errno == EMFILE || errno == ENFILE) {
        // Out of descriptors: back off instead of spinning on poll.
        wait(wake_read_, POLLIN,
             clock_type::now() + std::chrono::milliseconds{100});
      }
      continue;
    }
    serve(client);
    ::close(client);
  }
}

void http_endpoint::serve(int client) {
  auto deadline = clock_type::now() + config_.io_timeout;
  std::string head;
  std::string reply;
  char buf[2048];
  for (;;) {
    if (head_complete(head)) {
      reply = respond(head);
      break;
    }
    // A complete but unparsable request line is answered at once.
    if (head.find('\n') != std::string::npos && !parse_request_line(head)) {
      reply = text_response("400 Bad Request", "bad request");
      break;
    }
    if (head.size() >= config_.max_request_bytes) {
      reply = text_response("431 Request Header Fields Too Large",
                            "request too large");
      break;
    }
    if (!wait(client, POLLIN, deadline))
      return; // timeout or shutdown: drop the connection
    auto n = ::recv(client, buf, sizeof(buf), 0);
    if (n > 0) {
      head.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0) {
      if (head.empty())
        return;
      reply = text_response("400 Bad Request", "bad request");
      break;
    } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      return;
    }
  }
  deadline = clock_type::now() + config_.io_timeout;
  std::size_t sent = 0;
  while (sent < reply.size()) {
    auto n = ::send(client, reply.data() + sent, reply.size() - sent,
                    MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait(client, POLLOUT, deadline))
        return;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return;
    }
  }
  // Closing with unread input makes the kernel send RST, which can destroy
  // the response in flight; half-close and drain briefly instead.
  ::shutdown(client, SHUT_WR);
  auto drain_deadline = clock_type::now() + std::chrono::milliseconds{200};
  for (std::size_t drained = 0; drained < 65536;) {
    if (!wait(client, POLLIN, drain_deadline))
      return;
    auto n = ::recv(client, buf, sizeof(buf), 0);
    if (n <= 0 && !(n < 0 && (errno == EAGAIN || errno == EINTR)))
      return;
    if (n > 0)
      drained += static_cast<std::size_t>(n);
  }
}

std::string http_endpoint::respond(const std::string& head) const {
  auto request = parse_request_line(head);
  if (!request)
    return text_response("400 Bad Request", "bad request");
  if (request->method != "GET")
    return text_response("405 Method Not Allowed", "method not allowed",
                         "Allow: GET\r\n");
  if (request->path == "/metrics") {
    try {
      return response("200 OK", "text/plain; version=0.0.4; charset=utf-8",
                      registry_.serialize());
    } catch (const std::exception& e) {
      return text_response("500 Internal Server Error", e.what());
    }
  }
  if (request->path == "/healthz")
    return run_check(checks_.liveness, "ok");
  if (request->path == "/readyz")
    return run_check(checks_.readiness, "ok");
  return text_response("404 Not Found", "not found");
}

} // namespace txstream::monitoring
