// Settings of the merchant aggregators (docs/windows-and-watermarks.md).
#pragma once

#include <cstdint>

namespace txstream {

/// Sharding, window and watermark settings of the merchant aggregators.
struct aggregator_config {
  /// Virtual merchant shards: shard = fnv1a_64(merchant_id) mod shards.
  std::uint32_t shards = 64;
  /// Length of the tumbling event-time windows, aligned to the Unix epoch.
  std::int64_t window_ms = 60000;
  /// A partition's watermark trails its maximum event time by this much.
  std::int64_t allowed_lateness_ms = 5000;
  /// Wall-clock time without any batch after which a partition stops
  /// holding the shard watermark back.
  std::int64_t idle_partition_timeout_ms = 10000;
};

/// True when the settings can be used: positive shards, window and timeout,
/// non-negative lateness.
inline bool valid(const aggregator_config& cfg) {
  return cfg.shards > 0 && cfg.window_ms > 0 && cfg.allowed_lateness_ms >= 0
         && cfg.idle_partition_timeout_ms > 0;
}

} // namespace txstream
