// Messages between the pipeline's actors on and across nodes (besides the
// transaction_batch itself): raw input, acknowledgements, progress.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "messages/counted_bytes.hpp"

namespace txstream {

/// No offset: a shard holds no open window with records of a partition.
constexpr std::int64_t no_offset = std::numeric_limits<std::int64_t>::max();

/// One Kafka record inside a raw_batch; key and value point into its bytes.
struct raw_record {
  std::int64_t offset = -1;
  /// The record's Kafka timestamp (ms): when the broker appended it on a
  /// LogAppendTime topic, the producer's send time on a CreateTime one;
  /// -1 when the record has none.
  std::int64_t timestamp_ms = -1;
  std::uint32_t key_pos = 0;
  std::uint32_t key_len = 0;
  std::uint32_t value_pos = 0;
  std::uint32_t value_len = 0;
};

/// Records of one partition as they came from Kafka, in offset order, copied
/// into one buffer so a batch costs one allocation (node-local only).
struct raw_batch {
  std::int32_t partition = -1;
  std::string bytes;
  std::vector<raw_record> records;
  /// Its share of the memory the pipeline's batches hold (node-local).
  counted_bytes counted;

  std::string_view key(const raw_record& r) const {
    return std::string_view{bytes}.substr(r.key_pos, r.key_len);
  }
  std::string_view value(const raw_record& r) const {
    return std::string_view{bytes}.substr(r.value_pos, r.value_len);
  }
  void add(std::int64_t offset, std::string_view key, std::string_view value,
           std::int64_t timestamp_ms = -1) {
    raw_record r;
    r.offset = offset;
    r.timestamp_ms = timestamp_ms;
    r.key_pos = static_cast<std::uint32_t>(bytes.size());
    r.key_len = static_cast<std::uint32_t>(key.size());
    bytes.append(key);
    r.value_pos = static_cast<std::uint32_t>(bytes.size());
    r.value_len = static_cast<std::uint32_t>(value.size());
    bytes.append(value);
    records.push_back(r);
  }
};

/// Flow-control counters a partition-consumer publishes to the ingress
/// (node-local, shared memory): batches routed so far, and batches queued in
/// the pipeline behind it. The ingress adds what it sent but was not routed
/// yet (still in the consumer's mailbox). Also when the partition last
/// settled: every batch routed so far done, outputs delivered (steady-clock
/// nanoseconds; 0 before the first), so a drained node can say when its
/// work ended without anyone polling it.
struct partition_load {
  std::atomic<std::uint64_t> routed{0};
  std::atomic<std::uint64_t> queued{0};
  std::atomic<std::int64_t> settled_at_ns{0};
};

/// A host processed one sub-batch (sent at once, for flow control): which
/// records were late because their window had already closed.
struct shard_processed {
  std::int32_t partition = -1;
  std::uint64_t sequence = 0;
  std::uint64_t epoch = 0;
  std::vector<std::int64_t> late_offsets;
};

/// The lowest offset of a partition that a shard still holds in an open
/// window (no_offset: none): the partition's commit must not pass it.
struct shard_hold {
  std::uint32_t shard = 0;
  std::int64_t open_min_offset = no_offset;
};

/// A host's answer to one sub-batch, sent once every output the sub-batch
/// caused is delivered: what each of its shards holds of the partition.
struct shard_ack {
  std::int32_t partition = -1;
  std::uint64_t sequence = 0;
  std::uint64_t epoch = 0;
  std::vector<shard_hold> holds;
};

/// Unsolicited progress of a host's shards for one partition: after
/// windows closed and their outputs were delivered, or when a consumer
/// registers (it cannot know what its predecessor left in open windows).
struct shard_progress {
  std::int32_t partition = -1;
  std::uint64_t epoch = 0;
  std::vector<shard_hold> holds;
};

/// A fraud detector processed a batch (`delivered` false, sent at once, for
/// flow control), or its anomalies are delivered (`delivered` true).
struct detector_ack {
  std::int32_t partition = -1;
  std::uint64_t sequence = 0;
  bool delivered = false;
};

/// Partition-level event-time progress at an offset, persisted in the commit
/// metadata so a replay classifies every record exactly as the first run.
struct partition_resume_point {
  std::int64_t offset = -1;
  std::int64_t max_event_time_ms = std::numeric_limits<std::int64_t>::min();
  /// Where a restarted fraud detector starts re-reading, at or before
  /// `offset`: the records between rebuild its per-user history (the rules
  /// look back further than the open windows); -1: at `offset`.
  std::int64_t detector_from = -1;

  /// detector_from, or `offset` when it is unset or past it.
  std::int64_t detector_start() const noexcept {
    return detector_from >= 0 && detector_from <= offset ? detector_from : offset;
  }
};

/// Where a partition resumes after a (re)start, as a shard must know it.
struct partition_restore {
  std::int64_t resume_offset = -1;
  std::int64_t max_event_time_ms = std::numeric_limits<std::int64_t>::min();
  /// Last offset that may have been read before the restart (the partition's
  /// end when it restarted): records up to it in closed windows are skipped.
  std::int64_t last_offset = -1;
  /// Where reading starts, at or before resume_offset: records before
  /// resume_offset only rebuild the fraud detector's history.
  std::int64_t detector_from = -1;
};

/// No more input from a partition for now (--until-drained): shards may
/// exclude it from their watermark.
struct partition_end {
  std::int32_t partition = -1;
};

/// A partition's progress for shards that got none of its recent records,
/// and whether it is idle: its consumer read to the log end (the broker
/// confirmed it) and nothing came for the idle timeout. Only an idle
/// partition stops holding watermarks back; a silent one with records
/// waiting in Kafka (a stalled consumer, a rebalance) keeps holding them.
struct partition_status {
  std::int32_t partition = -1;
  /// Max event time of the partition's records routed so far.
  std::int64_t max_event_time_ms = std::numeric_limits<std::int64_t>::min();
  bool idle = false;
};

// Equality, for tests and the cross-process round-trip check.
inline bool operator==(const shard_processed& a, const shard_processed& b) {
  return a.partition == b.partition && a.sequence == b.sequence && a.epoch == b.epoch
         && a.late_offsets == b.late_offsets;
}
inline bool operator==(const shard_hold& a, const shard_hold& b) {
  return a.shard == b.shard && a.open_min_offset == b.open_min_offset;
}
inline bool operator==(const shard_ack& a, const shard_ack& b) {
  return a.partition == b.partition && a.sequence == b.sequence && a.epoch == b.epoch
         && a.holds == b.holds;
}
inline bool operator==(const shard_progress& a, const shard_progress& b) {
  return a.partition == b.partition && a.epoch == b.epoch && a.holds == b.holds;
}
inline bool operator==(const detector_ack& a, const detector_ack& b) {
  return a.partition == b.partition && a.sequence == b.sequence && a.delivered == b.delivered;
}
inline bool operator==(const partition_restore& a, const partition_restore& b) {
  return a.resume_offset == b.resume_offset && a.max_event_time_ms == b.max_event_time_ms
         && a.last_offset == b.last_offset && a.detector_from == b.detector_from;
}
inline bool operator==(const partition_end& a, const partition_end& b) {
  return a.partition == b.partition;
}
inline bool operator==(const partition_status& a, const partition_status& b) {
  return a.partition == b.partition && a.max_event_time_ms == b.max_event_time_ms
         && a.idle == b.idle;
}

}  // namespace txstream
