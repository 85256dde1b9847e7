// The socket address the HTTP endpoint listens on: resolving it from a host
// name, finding out why it cannot be listened on, reaching it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <sys/socket.h>

namespace txstream::monitoring {

/// One resolved address to listen on.
struct listen_address {
  sockaddr_storage address{};
  socklen_t length = 0;
  /// "IP:PORT" or "[IPv6]:PORT", the form civetweb's listening_ports takes.
  std::string spec;
};

/// Resolves `host` (numeric or a name; empty means every interface) and
/// `port` to the first IPv4 address, or the first address of any family
/// when `with_ipv6`. nullopt when it cannot, with the resolver's reason in
/// `why`.
std::optional<listen_address> resolve_listen_address(const std::string& host, std::uint16_t port,
                                                     bool with_ipv6, std::string& why);

/// Why nothing can listen on `where`: binds and listens on a throwaway
/// socket there and returns its errno, or 0 when that succeeds.
int listen_error(const listen_address& where);

/// Connects to `where` at `port` (loopback when `where` is the any-address)
/// and closes at once; a failed attempt is ignored.
void knock(const listen_address& where, std::uint16_t port);

}  // namespace txstream::monitoring
