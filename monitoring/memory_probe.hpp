// Metrics of a node's memory budget: its parts and what they hold.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include <prometheus/family.h>
#include <prometheus/gauge.h>

#include "monitoring/metrics_registry.hpp"

namespace txstream::monitoring {

/// `txstream_memory_budget_bytes{part}`: the budget and its shares;
/// `txstream_memory_used_bytes{part}`: what each part holds, sampled at
/// scrape time from callbacks (in-flight batches, output, the buffer pool)
/// or reported (open windows, per aggregator); and the process's resident
/// memory now and at its peak, from the kernel. Thread-safe; `registry`
/// must outlive the probe.
class memory_probe {
public:
  /// Sampled at scrape time; must be cheap and thread-safe.
  using sampler = std::function<std::int64_t()>;

  explicit memory_probe(metrics_registry& registry);
  ~memory_probe();

  memory_probe(const memory_probe&) = delete;
  memory_probe& operator=(const memory_probe&) = delete;

  /// The size of budget part `part` ("total", "prefetch", ...).
  void budget(const std::string& part, std::int64_t bytes);

  /// Where the holdings of `part` are read from at every scrape.
  void sample(const std::string& part, sampler read);

  /// The open windows of aggregator `host`: how many, and the bytes they
  /// hold.
  void windows(std::uint32_t host, std::int64_t count, std::int64_t bytes);
  /// A new pipeline's aggregators start empty: forgets the old ones'.
  void forget_windows();

private:
  void update();

  metrics_registry& registry_;
  prometheus::Family<prometheus::Gauge>& budget_;
  prometheus::Family<prometheus::Gauge>& used_;
  prometheus::Gauge& resident_;
  prometheus::Gauge& peak_resident_;
  prometheus::Gauge& windows_;
  prometheus::Gauge& open_windows_;
  std::mutex mutex_;
  std::map<std::string, sampler> samplers_;
  std::map<std::uint32_t, std::pair<std::int64_t, std::int64_t>> windows_by_host_;  // count, bytes
  metrics_registry::hook_id hook_;
};

}  // namespace txstream::monitoring
