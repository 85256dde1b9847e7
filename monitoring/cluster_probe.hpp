// Node-level metrics: ownership, cluster membership and leadership, the
// shard map, rebalances, offset commits.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include "monitoring/metrics_registry.hpp"

namespace txstream::monitoring {

/// What this node owns and how it keeps its state safe. Thread-safe; one per
/// process. `registry` must outlive the probe.
class cluster_probe {
public:
  explicit cluster_probe(metrics_registry& registry);
  ~cluster_probe();

  cluster_probe(const cluster_probe&) = delete;
  cluster_probe& operator=(const cluster_probe&) = delete;

  /// Upper bounds of `txstream_checkpoint_duration_seconds`.
  static const std::vector<double>& checkpoint_buckets();

  void partitions_owned(std::int64_t n) {
    partitions_owned_.Set(static_cast<double>(n));
  }

  void shards_owned(std::int64_t n) {
    shards_owned_.Set(static_cast<double>(n));
  }

  /// Nodes this node currently sees in the cluster, itself included.
  void cluster_size(std::int64_t n) {
    cluster_size_.Set(static_cast<double>(n));
  }

  /// Whether this node leads the cluster now.
  void leader(bool yes) {
    leader_.Set(yes ? 1 : 0);
  }

  /// The shard map version this node routes by (0: none yet).
  void shard_map_version(std::uint64_t v) {
    map_version_.Set(static_cast<double>(v));
  }

  /// A new shard map gave this node `n` shards another node had (each
  /// rebuilt here from Kafka).
  void shards_taken_over(std::size_t n) {
    shards_taken_over_.Increment(static_cast<double>(n));
  }

  /// On a new shard map, this node processed nothing for `paused`: from
  /// its old map's pipeline stopping to the new one's taking input.
  void map_change_paused(std::chrono::duration<double> paused) {
    map_change_pause_.Observe(paused.count());
  }

  /// A consumer-group rebalance (partitions assigned or revoked).
  void rebalanced() {
    rebalances_.Increment();
  }

  /// Input offsets were committed (a checkpoint: everything before them is
  /// in the output), the commit call taking `took`. The exported
  /// `txstream_checkpoint_age_seconds` is computed at scrape time from the
  /// last call (or from probe creation before the first checkpoint).
  void checkpoint_completed(std::chrono::duration<double> took);

private:
  void update_checkpoint_age();

  metrics_registry& registry_;
  prometheus::Gauge& partitions_owned_;
  prometheus::Gauge& shards_owned_;
  prometheus::Gauge& cluster_size_;
  prometheus::Gauge& leader_;
  prometheus::Gauge& map_version_;
  prometheus::Counter& rebalances_;
  prometheus::Counter& shards_taken_over_;
  prometheus::Histogram& map_change_pause_;
  prometheus::Histogram& checkpoint_duration_;
  prometheus::Gauge& checkpoint_age_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point last_checkpoint_;
  metrics_registry::hook_id hook_;
};

}  // namespace txstream::monitoring
