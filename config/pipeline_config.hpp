// Settings of a node's record pipeline beyond windows and fraud rules.
#pragma once

#include <cstddef>
#include <cstdint>

namespace txstream {

struct pipeline_config {
  /// The memory the node sizes its buffers to, in MiB (config/memory_budget.hpp):
  /// the prefetch, the batches in flight, the output on its way to Kafka and
  /// the buffer pool get their shares of it. 0: no budget (128 MiB of
  /// prefetch, 32 batches in flight per partition, output unbounded).
  std::int64_t memory_budget_mb = 256;
  /// Batches per partition queued in the pipeline (not yet processed by
  /// every shard and the detector) before the ingress holds the partition
  /// back; batches waiting only for delivery count 1/8. 0: from the memory
  /// budget.
  std::size_t max_in_flight_batches = 0;
  /// Most records per raw batch handed to a partition-consumer.
  std::size_t max_batch_records = 2000;
  /// While a partition's pipeline is busy (2+ batches queued), records wait
  /// up to this long to join a bigger batch: per-batch costs (a message to
  /// each shard and the detector, and their acks) then spread over more
  /// records. A partition whose pipeline is idle gets its records at once.
  std::int64_t batch_linger_ms = 5;
  /// How often aggregators emit totals held back by totals_interval_ms, and
  /// at most how often a partition-consumer tells a shard that got none of
  /// its recent records how far the partition's event time got (wall clock).
  std::int64_t tick_interval_ms = 200;
  /// How often the ingress commits offsets.
  std::int64_t commit_interval_ms = 1000;
  /// An event more than this far ahead of its record's Kafka timestamp is
  /// dead-lettered as `future_time` (0: never): one producer with a broken
  /// clock must not drag the watermarks years ahead and make every later
  /// record late. The Kafka timestamp, not the node's clock, so a replay or
  /// another node decides exactly as the first run did.
  std::int64_t max_future_ms = 600000;
  /// Anomalies found at least this long after their event (the node is
  /// catching up on a backlog or replaying, not following live traffic)
  /// may wait in the alert sink to share a produce request with others.
  std::int64_t alert_batching_age_ms = 1000;
  /// How long such anomalies wait at most (0: every anomaly is sent at
  /// once). A produce request costs the broker ~200 us of CPU whatever
  /// it holds; catching up, detectors found anomalies every couple of
  /// milliseconds and each batch went out in its own request.
  std::int64_t alert_batching_delay_ms = 20;
};

}  // namespace txstream
