// One-line helpers that register a metric family; used by the probes.
#pragma once

#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "monitoring/metrics_registry.hpp"

namespace txstream::monitoring {

inline prometheus::Family<prometheus::Counter>&
counter_family(metrics_registry& r, const std::string& name, const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r.registry());
}

inline prometheus::Family<prometheus::Gauge>&
gauge_family(metrics_registry& r, const std::string& name, const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r.registry());
}

inline prometheus::Family<prometheus::Histogram>&
histogram_family(metrics_registry& r, const std::string& name, const std::string& help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(r.registry());
}

}  // namespace txstream::monitoring
