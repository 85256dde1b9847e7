// The owner of a node's Prometheus registry; probes register their families here.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

namespace txstream::monitoring {

/// Owns the registry every probe of one process registers into, plus the
/// `txstream_up`, `txstream_build_info` and start-time gauges.
///
/// Must outlive every probe built on it. Thread-safe.
class metrics_registry {
public:
  using hook_id = std::uint64_t;

  /// Creates the registry and sets `txstream_build_info{version=...}` to 1.
  explicit metrics_registry(const std::string& version);

  metrics_registry(const metrics_registry&) = delete;
  metrics_registry& operator=(const metrics_registry&) = delete;

  /// The underlying registry, for probes to build families in.
  prometheus::Registry& registry() {
    return *registry_;
  }

  /// Shared ownership, for code that needs to keep the registry alive.
  std::shared_ptr<prometheus::Registry> shared() const {
    return registry_;
  }

  /// Runs the collect hooks, then snapshots all families.
  std::vector<prometheus::MetricFamily> collect() const;

  /// The Prometheus text exposition format 0.0.4 of collect().
  std::string serialize() const;

  /// Registers a callback run before every collect(), for gauges that depend
  /// on the wall clock at scrape time (e.g. watermark lag). It must be cheap
  /// and must not call back into this registry.
  hook_id add_collect_hook(std::function<void()> hook);

  /// Removes a hook; after return it is no longer running or called.
  void remove_collect_hook(hook_id id);

private:
  std::shared_ptr<prometheus::Registry> registry_;
  mutable std::mutex hooks_mutex_;
  std::map<hook_id, std::function<void()>> hooks_;
  hook_id next_hook_ = 1;
};

}  // namespace txstream::monitoring
