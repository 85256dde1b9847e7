// A tiny HTTP/1.1 server for /metrics, /healthz and /readyz.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>

#include "monitoring/health.hpp"
#include "monitoring/metrics_registry.hpp"

namespace txstream::monitoring {

struct http_endpoint_config {
  /// Numeric address or host name to bind; "0.0.0.0" serves every interface
  /// (what a container needs), "127.0.0.1" only loopback.
  std::string host = "0.0.0.0";
  /// 0 picks an ephemeral port; see http_endpoint::port().
  std::uint16_t port = 9100;
  /// Upper bound for reading one request and for writing one response, so a
  /// slow or silent client cannot hold the server.
  std::chrono::milliseconds io_timeout{2000};
  /// Larger request heads get 431 and are dropped.
  std::size_t max_request_bytes = 8192;
};

/// Serves GET /metrics (Prometheus text format 0.0.4), GET /healthz and
/// GET /readyz on one background thread, one connection at a time, each
/// closed after its response. Other paths get 404, other methods 405,
/// unparsable requests 400.
///
/// The constructor binds and listens before returning, so a busy port fails
/// at start-up; the destructor stops the thread promptly (no hang on a
/// connected client). `registry` must outlive the endpoint.
class http_endpoint {
public:
  /// Throws std::system_error naming host and port if it cannot listen.
  http_endpoint(http_endpoint_config config, const metrics_registry& registry,
                health_checks checks = {});
  ~http_endpoint();

  http_endpoint(const http_endpoint&) = delete;
  http_endpoint& operator=(const http_endpoint&) = delete;

  /// The bound port, the real one when the config asked for 0.
  std::uint16_t port() const { return port_; }

private:
  void run();
  void serve(int client);
  std::string respond(const std::string& head) const;
  bool wait(int fd, short events,
            std::chrono::steady_clock::time_point deadline) const;

  http_endpoint_config config_;
  const metrics_registry& registry_;
  health_checks checks_;
  int listen_fd_ = -1;
  int wake_read_ = -1; // the destructor writes to wake_write_ to stop run()
  int wake_write_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

} // namespace txstream::monitoring
