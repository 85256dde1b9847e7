#include "monitoring/pipeline_probe.hpp"

#include <algorithm>
#include <chrono>

#include "monitoring/family_builders.hpp"

namespace txstream::monitoring {

const std::vector<double>& pipeline_probe::latency_buckets() {
  // Event time to output spans milliseconds (anomalies) up to a window
  // length plus allowed lateness (windowed totals), hence the wide range.
  static const std::vector<double> buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,   2.5,
                                           5,     10,   30,    60,   120, 300,  600, 1800};
  return buckets;
}

pipeline_probe::pipeline_probe(metrics_registry& registry)
  : registry_(registry),
    consumed_(counter_family(registry, "txstream_consumed_total",
                             "Records read from Kafka, by source partition"),
              "partition"),
    decoded_(
      counter_family(registry, "txstream_decoded_total", "Records decoded and validated").Add({})),
    produced_(counter_family(registry, "txstream_produced_total",
                             "Records acknowledged by Kafka, by output topic"),
              "topic"),
    produce_errors_(counter_family(registry, "txstream_produce_errors_total",
                                   "Records whose delivery failed, by topic"),
                    "topic"),
    dead_lettered_(counter_family(registry, "txstream_dead_lettered_total",
                                  "Records sent to the dead-letter topic, "
                                  "by reason"),
                   "reason"),
    anomalies_(
      counter_family(registry, "txstream_anomalies_total", "Anomalies flagged, by detection rule"),
      "rule"),
    windows_emitted_(
      counter_family(registry, "txstream_windows_emitted_total", "Window aggregates emitted")
        .Add({})),
    totals_emitted_(
      counter_family(registry, "txstream_totals_emitted_total", "Running totals emitted").Add({})),
    late_(
      counter_family(registry, "txstream_late_total", "Records that arrived behind the watermark")
        .Add({})),
    shard_records_(counter_family(registry, "txstream_shard_records_total",
                                  "Records aggregated, by virtual merchant shard"),
                   "shard"),
    latency_(histogram_family(registry, "txstream_event_to_output_latency_seconds",
                              "Event time to output produced, in seconds")
               .Add({}, latency_buckets())),
    watermark_lag_(gauge_family(registry, "txstream_watermark_lag_seconds",
                                "Wall clock minus the oldest shard watermark, "
                                "in seconds")
                     .Add({})),
    consumer_lag_(gauge_family(registry, "txstream_consumer_lag",
                               "Records between committed offset and high "
                               "watermark, by partition"),
                  "partition"),
    in_flight_batches_(gauge_family(registry, "txstream_in_flight_batches",
                                    "Batches produced and not yet "
                                    "acknowledged")
                         .Add({})) {
  hook_ = registry_.add_collect_hook([this] { update_watermark_lag(); });
}

pipeline_probe::~pipeline_probe() {
  registry_.remove_collect_hook(hook_);
}

void pipeline_probe::observe_latencies(latency_batch& batch) {
  if (batch.empty())
    return;
  latency_.ObserveMultiple(batch.increments(), batch.sum());
  batch.reset();
}

void pipeline_probe::watermark(std::uint32_t shard, std::int64_t watermark_ms) {
  std::lock_guard<std::mutex> guard{watermarks_mutex_};
  watermarks_[shard] = watermark_ms;
}

void pipeline_probe::forget_shard(std::uint32_t shard) {
  std::lock_guard<std::mutex> guard{watermarks_mutex_};
  watermarks_.erase(shard);
}

void pipeline_probe::update_watermark_lag() {
  using namespace std::chrono;
  auto now_ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  double lag = 0;
  {
    std::lock_guard<std::mutex> guard{watermarks_mutex_};
    if (!watermarks_.empty()) {
      auto oldest = std::min_element(
        watermarks_.begin(), watermarks_.end(),
        [](const auto& a, const auto& b) { return a.second < b.second; });
      lag = std::max(0.0, static_cast<double>(now_ms - oldest->second) / 1000.0);
    }
  }
  watermark_lag_.Set(lag);
}

}  // namespace txstream::monitoring
