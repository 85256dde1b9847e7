// Which source offsets an aggregator shard lets the caller commit.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "actors/tumbling_window.hpp"

namespace txstream {

/// Tracks, per source partition, the lowest offset whose record is still
/// counted in an open window (the partition's consumer must not commit past
/// it), and which offsets were handled already (so a replay or re-delivery
/// is not counted twice).
///
/// All keys of a shard close together, so offsets are kept per open window
/// bucket (window start), not per key. Records of one partition arrive in
/// offset order, so the first record of p counted into a bucket holds the
/// bucket's minimum offset for p.
class commit_frontier {
public:
  /// True if (p, offset) was handled before: below the restored resume
  /// offset or not above the last processed offset (a re-delivery).
  bool already_seen(std::int32_t p, std::int64_t offset) const;

  /// (p, offset) has been handled (counted, late or skipped).
  void on_processed(std::int32_t p, std::int64_t offset);

  /// (p, offset) was counted into the window starting at `bucket_start`.
  void on_counted(std::int64_t bucket_start, std::int32_t p, std::int64_t offset);

  /// The window bucket starting at `bucket_start` was emitted.
  void close_bucket(std::int64_t bucket_start);

  /// Restart or re-attach: records of p below `resume_offset` were fully
  /// done before. Keeps what this object already processed of p.
  void restore(std::int32_t p, std::int64_t resume_offset);

  /// Lowest offset of p counted in a window not yet closed, or INT64_MAX
  /// when no open window holds a record of p.
  std::int64_t open_min_offset(std::int32_t p) const;

private:
  struct progress {
    std::int64_t last = -1;
    std::int64_t resume = -1;
  };
  struct entry {
    std::int32_t partition;
    std::int64_t min_offset;
  };

  progress& at(std::int32_t p);
  const progress* find(std::int32_t p) const;

  std::vector<progress> progress_;  // indexed by partition id
  std::map<std::int64_t, std::vector<entry>> buckets_;
  // Skips the map lookup while a partition keeps hitting the same bucket.
  std::int64_t cached_start_ = no_event_time;
  std::int32_t cached_partition_ = -1;
};

}  // namespace txstream
