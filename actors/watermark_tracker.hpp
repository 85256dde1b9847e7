// Per-shard event-time watermark over the source partitions.
#pragma once

#include <cstdint>
#include <vector>

#include "actors/tumbling_window.hpp"

namespace txstream {

/// The event-time watermark of one aggregator shard.
///
/// Per partition p: partition_watermark(p) = max event time of p's counted
/// records - allowed lateness. The shard watermark is the minimum over the
/// active partitions (delivered data, not idle, finished or revoked) and
/// never moves back. A partition that was assigned but has not delivered
/// any records holds the watermark back until it does or goes idle. Wall
/// time is always passed in; the tracker never reads a clock.
class watermark_tracker {
public:
  watermark_tracker(std::int64_t allowed_lateness_ms,
                    std::int64_t idle_timeout_ms);

  /// Declares p an upstream of this shard: until it delivers records or
  /// goes idle it keeps the watermark from advancing.
  void assign(std::int32_t p, std::int64_t now_ms);

  /// A batch of p arrived at wall time `now_ms`. Any batch, even an empty
  /// one, ends idleness and revocation; one with records also ends the
  /// "assigned, no data yet" hold and a finished mark.
  void on_batch(std::int32_t p, std::int64_t now_ms, bool has_records);

  /// Max event time of p's counted records (no_event_time if none).
  std::int64_t max_event_time(std::int32_t p) const;

  /// Raises p's max event time (callers pass counted records only).
  void set_max_event_time(std::int32_t p, std::int64_t max_event_time_ms);

  /// max_event_time(p) - allowed lateness, or no_event_time.
  std::int64_t partition_watermark(std::int32_t p) const;

  /// p reached the end of its input: it no longer holds the watermark.
  void finish(std::int32_t p);

  /// p was taken away by a rebalance: it no longer holds the watermark.
  void revoke(std::int32_t p);

  /// Restores p after a restart: its max event time as of the committed
  /// offset (merged with what the tracker already knows of p). Without any
  /// max event time, p is treated as assigned without data.
  void restore(std::int32_t p, std::int64_t max_event_time_ms,
               std::int64_t now_ms);

  /// Marks partitions without a batch for longer than the idle timeout.
  void detect_idle(std::int64_t now_ms);

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
    bool revoked = false;
    std::int64_t max_event_time = no_event_time;
    std::int64_t last_batch_ms = 0;
  };

  slot& at(std::int32_t p);
  const slot* find(std::int32_t p) const;

  std::int64_t lateness_;
  std::int64_t idle_timeout_;
  std::int64_t watermark_ = no_event_time;
  std::vector<slot> slots_;  // indexed by partition id
};

} // namespace txstream
