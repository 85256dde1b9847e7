// Settings of a node's record pipeline beyond windows and fraud rules.
#pragma once

#include <cstddef>
#include <cstdint>

namespace txstream {

struct pipeline_config {
  /// In-flight batches per partition before the partition is paused
  /// (bounds memory when the output side is slow).
  std::size_t max_in_flight_batches = 16;
  /// Most records per raw batch handed to a partition-consumer.
  std::size_t max_batch_records = 2000;
  /// How often aggregators check for idle partitions (wall clock).
  std::int64_t tick_interval_ms = 200;
  /// How often the ingress commits offsets.
  std::int64_t commit_interval_ms = 1000;
};

} // namespace txstream
