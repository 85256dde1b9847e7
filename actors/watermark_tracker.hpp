// Per-shard event-time watermark over the source partitions.
#pragma once

#include <cstdint>
#include <vector>

#include "actors/tumbling_window.hpp"

namespace txstream {

/// The event-time watermark of one aggregator shard.
///
/// Per partition p: partition_watermark(p) = max event time of p's records
/// - allowed lateness. The shard watermark is the minimum over the active
/// partitions (delivered data, not idle or finished) and never moves back. A
/// partition that was assigned but has not delivered any records holds the
/// watermark back until it does or is declared idle. Idleness is decided by
/// p's consumer, which alone knows whether records wait in Kafka: silence
/// alone never releases a partition, so a stalled or moving consumer keeps
/// holding the watermark. The tracker reads no clock.
class watermark_tracker {
public:
  explicit watermark_tracker(std::int64_t allowed_lateness_ms);

  /// Declares p an upstream of this shard: until it delivers records or is
  /// declared idle it keeps the watermark from advancing.
  void assign(std::int32_t p);

  /// A batch of p arrived. One with records ends idleness, the "assigned,
  /// no data yet" hold and a finished mark.
  void on_batch(std::int32_t p, bool has_records);

  /// Max event time of p's records (no_event_time if none).
  std::int64_t max_event_time(std::int32_t p) const;

  /// Raises p's max event time.
  void set_max_event_time(std::int32_t p, std::int64_t max_event_time_ms);

  /// max_event_time(p) - allowed lateness, or no_event_time.
  std::int64_t partition_watermark(std::int32_t p) const;

  /// p's consumer read to the log end and nothing came for the idle
  /// timeout (true), or p has records again (false).
  void set_idle(std::int32_t p, bool idle);

  /// What p's consumer says of p: the max event time of all its records
  /// (which ends the "assigned, no data yet" hold once known) and idleness.
  void on_status(std::int32_t p, std::int64_t max_event_time_ms, bool idle);

  /// p reached the end of its input: it no longer holds the watermark.
  void finish(std::int32_t p);

  /// Restores p after a restart: its max event time as of the committed
  /// offset (merged with what the tracker already knows of p). Without any
  /// max event time, p is treated as assigned without data.
  void restore(std::int32_t p, std::int64_t max_event_time_ms);

  /// Recomputes and returns the shard watermark (monotonic).
  std::int64_t advance();

  /// Raises the shard watermark to at least `wm` (flush, restore).
  void raise_to(std::int64_t wm);

  /// The shard watermark; no_event_time before the first advance.
  std::int64_t watermark() const noexcept {
    return watermark_;
  }

  /// True if p takes part in the watermark (for tests and metrics).
  bool is_active(std::int32_t p) const;

private:
  struct slot {
    bool known = false;
    bool pending = false;  // assigned, no records delivered yet
    bool idle = false;
    bool finished = false;
    std::int64_t max_event_time = no_event_time;
  };

  slot& at(std::int32_t p);
  const slot* find(std::int32_t p) const;

  std::int64_t lateness_;
  std::int64_t watermark_ = no_event_time;
  std::vector<slot> slots_;  // indexed by partition id
};

}  // namespace txstream
