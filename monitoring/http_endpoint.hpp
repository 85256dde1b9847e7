// The HTTP server for /metrics, /healthz and /readyz (civetweb underneath).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "monitoring/health.hpp"
#include "monitoring/listen_address.hpp"
#include "monitoring/metrics_registry.hpp"

struct mg_context;
struct mg_connection;

namespace txstream::monitoring {

struct http_endpoint_config {
  /// Numeric address or host name to bind; "0.0.0.0" serves every interface
  /// (what a container needs), "127.0.0.1" only loopback.
  std::string host = "0.0.0.0";
  /// 0 picks an ephemeral port; see http_endpoint::port().
  std::uint16_t port = 9100;
  /// Upper bound for reading one request head and for each write of a
  /// response, so a slow or silent client holds a worker no longer.
  std::chrono::milliseconds io_timeout{2000};
  /// Larger request heads get 400 (civetweb has no 431) and are dropped.
  std::size_t max_request_bytes = 8192;
};

/// Serves GET /metrics (Prometheus text format 0.0.4), GET /healthz and
/// GET /readyz from a civetweb server with two worker threads; each
/// connection is closed after its response. Other paths get 404, other
/// methods 405, unparsable requests 400 (docs/metrics.md lists every case).
///
/// The constructor binds and listens before returning, so a busy port fails
/// at start-up. The destructor returns at once when no client is connected,
/// and within about 2 s (civetweb's poll interval) when a worker waits on a
/// silent client. `registry` must outlive the endpoint.
class http_endpoint {
public:
  /// Throws std::system_error naming host and port if it cannot listen.
  http_endpoint(http_endpoint_config config, const metrics_registry& registry,
                health_checks checks = {});
  ~http_endpoint();

  http_endpoint(const http_endpoint&) = delete;
  http_endpoint& operator=(const http_endpoint&) = delete;

  /// The bound port, the real one when the config asked for 0.
  std::uint16_t port() const {
    return port_;
  }

private:
  /// civetweb's callback for every parsed request; returns the status sent.
  static int handle(mg_connection* conn);
  int respond(mg_connection* conn) const;

  http_endpoint_config config_;
  const metrics_registry& registry_;
  health_checks checks_;
  listen_address address_;
  mg_context* server_ = nullptr;
  std::uint16_t port_ = 0;
};

}  // namespace txstream::monitoring
