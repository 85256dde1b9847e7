// Settings of the merchant aggregators (docs/windows-and-watermarks.md).
#pragma once

#include <cstdint>

namespace txstream {

/// Sharding, window and watermark settings of the merchant aggregators.
struct aggregator_config {
  /// Virtual merchant shards: shard = fnv1a_64(merchant_id) mod shards.
  std::uint32_t shards = 64;
  /// Aggregator actors on a node; actor i hosts shards i, i + actors, ...
  /// (at most `shards` are used). Each actor costs a message and two acks per
  /// batch it gets a share of: 8 drained the benchmark input 20-25 % faster
  /// than one actor per shard.
  std::uint32_t shard_actors = 8;
  /// Length of the tumbling event-time windows, aligned to the Unix epoch.
  std::int64_t window_ms = 60000;
  /// A partition's watermark trails its maximum event time by this much.
  std::int64_t allowed_lateness_ms = 5000;
  /// Wall-clock time without any record after which a partition whose
  /// consumer read to the log end (the broker confirmed it) stops holding
  /// the shard watermarks back. A silent partition with records waiting in
  /// Kafka never does.
  std::int64_t idle_partition_timeout_ms = 10000;
  /// Running totals go out with the close of the windows that change them,
  /// but at most once per this many milliseconds of wall clock per
  /// aggregator (so per key): closes in between, as a replay or a catch-up
  /// makes them, fold into the next emission, and the offsets of their
  /// windows stay uncommitted until it is delivered. 0: with every close.
  std::int64_t totals_interval_ms = 1000;
};

/// Aggregator actors actually spawned: shard_actors, at most one per shard.
inline std::uint32_t aggregator_count(const aggregator_config& cfg) {
  return cfg.shard_actors < cfg.shards ? cfg.shard_actors : cfg.shards;
}

/// True when the settings can be used: positive shards, actors, window and
/// timeout, non-negative lateness and totals interval.
inline bool valid(const aggregator_config& cfg) {
  return cfg.shards > 0 && cfg.shard_actors > 0 && cfg.window_ms > 0 && cfg.allowed_lateness_ms >= 0
         && cfg.idle_partition_timeout_ms > 0 && cfg.totals_interval_ms >= 0;
}

}  // namespace txstream
