// How a node's memory budget is shared between its buffers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "config/node_config.hpp"

namespace txstream {

/// The byte limits derived from pipeline.memory_budget_mb (or, for a part
/// set explicitly, from its own key). The parts are buffers the node can
/// hold back; what is left of the budget is for state (open windows,
/// detector history, running totals), code, threads and the allocator's
/// retained pages, which the budget does not limit directly.
struct memory_plan {
  std::size_t budget = 0;  // bytes; 0: no budget
  /// librdkafka's prefetch queue (queued.max.messages.kbytes).
  std::size_t prefetch = 0;
  /// Raw batches handed to partition-consumers and their decoded copies
  /// queued in the pipeline, all partitions together.
  std::size_t in_flight = 0;
  /// Output records on their way to Kafka (in actors' messages and the
  /// sinks' producer queues), all sinks together.
  std::size_t output = 0;
  /// Raw batch buffers kept for reuse.
  std::size_t pool = 0;
};

/// Bytes a record in flight costs, about: its raw bytes, its decoded
/// transaction, its shard copy and the vectors around them.
inline constexpr std::size_t in_flight_bytes_per_record = 768;

/// The plan for `cfg`: a budget of B gives B/16 to the prefetch, B/4 to
/// batches in flight, B/8 to output and B/32 to the buffer pool; the rest,
/// over half, is left for state, code and the allocator. With no budget (0)
/// the parts are those of a node that ignores memory: 128 MiB of prefetch
/// and 32 batches in flight per partition, output and pool unbounded (0).
memory_plan plan_memory(const node_config& cfg);

/// Batches a partition may have in flight when `partitions` share the
/// in-flight part of `plan` (at least 2, so a partition keeps one batch
/// processing while the next one forms; at most 32). An explicit
/// pipeline.max_in_flight_batches wins.
std::size_t in_flight_batches_per_partition(const memory_plan& plan,
                                            const pipeline_config& pipeline,
                                            std::size_t partitions);

}  // namespace txstream
