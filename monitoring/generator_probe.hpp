// Metrics of the load generator node.
#pragma once

#include <cstdint>

#include <prometheus/counter.h>

#include "monitoring/metrics_registry.hpp"

namespace txstream::monitoring {

/// Records the generator sent to Kafka and the sends that failed.
/// Thread-safe. `registry` must outlive the probe.
class generator_probe {
public:
  explicit generator_probe(metrics_registry& registry);

  void sent(std::uint64_t records) {
    sent_.Increment(static_cast<double>(records));
  }

  void errors(std::uint64_t n = 1) {
    errors_.Increment(static_cast<double>(n));
  }

private:
  prometheus::Counter& sent_;
  prometheus::Counter& errors_;
};

}  // namespace txstream::monitoring
