// Which source offsets an aggregator shard lets the caller commit.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "actors/tumbling_window.hpp"

namespace txstream {

/// Tracks, per source partition, the lowest offset whose record is still
/// counted in an open window, and how far the partition was processed.
///
/// All keys of a shard close together, so offsets are kept per open window
/// bucket (window start), not per key. Records of one partition arrive in
/// offset order, so the first record of p counted into a bucket holds the
/// bucket's minimum offset for p.
class commit_frontier {
public:
  /// Where p may be committed, and p's max event time below that offset.
  struct point {
    std::int64_t offset = -1;  // -1: nothing known about p
    /// Max event time of p's counted records below `offset`; only set when
    /// `from_open_window`, otherwise it is p's current max event time.
    std::int64_t max_event_time_ms = no_event_time;
    bool from_open_window = false;
  };

  /// True if (p, offset) was handled before: below the restored resume
  /// offset or not above the last processed offset (a re-delivery).
  bool already_seen(std::int32_t p, std::int64_t offset) const;

  /// (p, offset) has been handled (counted, late or skipped).
  void on_processed(std::int32_t p, std::int64_t offset);

  /// (p, offset) was counted into the window starting at `bucket_start`;
  /// `max_event_before` is p's max event time before this record.
  void on_counted(std::int64_t bucket_start, std::int32_t p,
                  std::int64_t offset, std::int64_t max_event_before);

  /// The caller has passed every record of p below `next_offset` that
  /// belongs to this shard (lets sparse partitions advance their frontier).
  void note_position(std::int32_t p, std::int64_t next_offset);

  /// The window bucket starting at `bucket_start` was emitted.
  void close_bucket(std::int64_t bucket_start);

  /// Restart or re-attach: records of p below `resume_offset` were fully
  /// done before. Keeps what this object already processed of p.
  void restore(std::int32_t p, std::int64_t resume_offset);

  /// The commit point of p: min over open buckets of p's offsets there,
  /// else max(last processed + 1, noted position, resume offset).
  point frontier(std::int32_t p) const;

  /// Highest offset of p processed by this incarnation, or -1.
  std::int64_t last_offset(std::int32_t p) const;

private:
  struct progress {
    std::int64_t last = -1;
    std::int64_t position = -1;
    std::int64_t resume = -1;
  };
  struct entry {
    std::int32_t partition;
    std::int64_t min_offset;
    std::int64_t max_event_before;
  };

  progress& at(std::int32_t p);
  const progress* find(std::int32_t p) const;

  std::vector<progress> progress_;  // indexed by partition id
  std::map<std::int64_t, std::vector<entry>> buckets_;
  // Skips the map lookup while a partition keeps hitting the same bucket.
  std::int64_t cached_start_ = no_event_time;
  std::int32_t cached_partition_ = -1;
};

} // namespace txstream
