// Metrics of the data path: consume, decode, aggregate, detect, produce.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string_view>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include "monitoring/label_cache.hpp"
#include "monitoring/latency_batch.hpp"
#include "monitoring/metrics_registry.hpp"

namespace txstream::monitoring {

/// Counters, gauges and the latency histogram of the record pipeline.
///
/// Call it per batch, not per record: each method is an atomic add, plus a
/// short mutex-guarded map lookup for labelled families. Thread-safe; share
/// one instance per process. `registry` must outlive the probe.
class pipeline_probe {
public:
  explicit pipeline_probe(metrics_registry& registry);
  ~pipeline_probe();

  pipeline_probe(const pipeline_probe&) = delete;
  pipeline_probe& operator=(const pipeline_probe&) = delete;

  /// Upper bounds of `txstream_event_to_output_latency_seconds`.
  static const std::vector<double>& latency_buckets();

  /// Records read from Kafka `partition`.
  void consumed(std::int32_t partition, std::uint64_t records) {
    consumed_.get(partition).Increment(static_cast<double>(records));
  }

  /// Records that decoded and validated.
  void decoded(std::uint64_t records) {
    decoded_.Increment(static_cast<double>(records));
  }

  /// Records acknowledged by the broker on `topic`.
  void produced(std::string_view topic, std::uint64_t records) {
    produced_.get(topic).Increment(static_cast<double>(records));
  }

  /// Records whose delivery to `topic` failed.
  void produce_errors(std::string_view topic, std::uint64_t records = 1) {
    produce_errors_.get(topic).Increment(static_cast<double>(records));
  }

  /// Records sent to the dead-letter topic, by reason (a small fixed set,
  /// e.g. "malformed_json", "invalid_field"; never free text).
  void dead_lettered(std::string_view reason, std::uint64_t records = 1) {
    dead_lettered_.get(reason).Increment(static_cast<double>(records));
  }

  /// Anomalies flagged by detection `rule`.
  void anomalies(std::string_view rule, std::uint64_t n = 1) {
    anomalies_.get(rule).Increment(static_cast<double>(n));
  }

  void windows_emitted(std::uint64_t n) {
    windows_emitted_.Increment(static_cast<double>(n));
  }

  void totals_emitted(std::uint64_t n) {
    totals_emitted_.Increment(static_cast<double>(n));
  }

  /// Records that arrived behind the watermark.
  void late(std::uint64_t n) {
    late_.Increment(static_cast<double>(n));
  }

  /// Records a merchant-aggregator shard took in (a virtual shard, 0 ..
  /// aggregation.shards - 1: a bounded label).
  void shard_records(std::uint32_t shard, std::uint64_t records) {
    shard_records_.get(shard).Increment(static_cast<double>(records));
  }

  /// A reusable accumulator matching the latency histogram's buckets.
  latency_batch make_latency_batch() const {
    return latency_batch{latency_buckets()};
  }

  /// Adds a batch of event-to-output latencies, then resets `batch`.
  void observe_latencies(latency_batch& batch);

  /// Records one event-to-output latency in seconds.
  void observe_latency(double seconds) {
    latency_.Observe(seconds < 0 ? 0 : seconds);
  }

  /// The event-time watermark of `shard` (Unix epoch ms). The exported
  /// `txstream_watermark_lag_seconds` is wall clock minus the oldest shard
  /// watermark, computed at scrape time so a stalled shard shows growing lag.
  void watermark(std::uint32_t shard, std::int64_t watermark_ms);

  /// Stops tracking a shard this node no longer owns.
  void forget_shard(std::uint32_t shard);

  /// Records between the committed offset and the high watermark.
  void consumer_lag(std::int32_t partition, std::int64_t lag) {
    consumer_lag_.get(partition).Set(static_cast<double>(lag));
  }

  /// Drops the lag series of a revoked partition (counters stay).
  void forget_partition(std::int32_t partition) {
    consumer_lag_.remove(partition);
  }

  /// Batches handed to the producer and not yet acknowledged.
  void in_flight_batches(std::int64_t n) {
    in_flight_batches_.Set(static_cast<double>(n));
  }

private:
  void update_watermark_lag();

  metrics_registry& registry_;
  label_cache<prometheus::Counter, std::int32_t> consumed_;
  prometheus::Counter& decoded_;
  label_cache<prometheus::Counter> produced_;
  label_cache<prometheus::Counter> produce_errors_;
  label_cache<prometheus::Counter> dead_lettered_;
  label_cache<prometheus::Counter> anomalies_;
  prometheus::Counter& windows_emitted_;
  prometheus::Counter& totals_emitted_;
  prometheus::Counter& late_;
  label_cache<prometheus::Counter, std::uint32_t> shard_records_;
  prometheus::Histogram& latency_;
  prometheus::Gauge& watermark_lag_;
  label_cache<prometheus::Gauge, std::int32_t> consumer_lag_;
  prometheus::Gauge& in_flight_batches_;
  std::mutex watermarks_mutex_;
  std::map<std::uint32_t, std::int64_t> watermarks_;
  metrics_registry::hook_id hook_;
};

}  // namespace txstream::monitoring
