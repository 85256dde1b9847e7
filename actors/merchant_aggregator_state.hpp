// State of one merchant-aggregator shard (docs/windows-and-watermarks.md).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <absl/container/flat_hash_map.h>

#include "actors/commit_frontier.hpp"
#include "actors/tumbling_window.hpp"
#include "actors/watermark_tracker.hpp"
#include "actors/window_cells.hpp"
#include "config/aggregator_config.hpp"
#include "messages/pipeline_messages.hpp"
#include "messages/transaction.hpp"
#include "messages/transaction_batch.hpp"
#include "messages/window_aggregate.hpp"

namespace txstream {

/// What one call produced. Calls append; the caller clears between calls.
struct aggregator_output {
  /// Indices into the batch passed to add(): dead-letter with reason `late`.
  std::vector<std::size_t> late;
  /// Records already accounted for before (replay or re-delivery).
  std::size_t skipped = 0;
  /// Closed windows, by window end, then merchant, then currency.
  std::vector<window_aggregate> windows;
  /// Running totals changed by closes since the last emission, one per key,
  /// by merchant, currency; at most once per totals_interval_ms.
  std::vector<running_total> totals;
  /// The commit frontier moved: closed windows stopped holding offsets back
  /// (with their totals emitted).
  bool frontier_moved = false;

  void clear() {
    late.clear();
    skipped = 0;
    windows.clear();
    totals.clear();
    frontier_moved = false;
  }
};

/// What restore_partition() needs to know of a partition after a restart or
/// a move to another consumer.
struct partition_checkpoint {
  /// The offset p's consumer resumes from (its commit): every record below
  /// it has all its effects in Kafka.
  std::int64_t resume_offset = -1;
  /// Max event time of p's counted records below resume_offset (the commit
  /// metadata).
  std::int64_t max_event_time_ms = no_event_time;
  /// Highest offset of p that may have been read before the restart.
  std::int64_t last_offset = -1;
  /// The shard's closed_through when the checkpoint was taken; only valid
  /// when every output emitted before it was delivered. no_event_time when
  /// unknown (a node restarting after a crash): the restored totals then
  /// tell, per series, which windows were emitted.
  std::int64_t closed_through_ms = no_event_time;
};

/// Tumbling windows and running totals per merchant x currency for one
/// shard, closed by the shard's event-time watermark. Plain C++: the actor
/// supplies wall time and does all I/O.
class merchant_aggregator_state {
public:
  /// Hashes a (merchant, currency) series for its index; tests pass a weak
  /// one to force collisions.
  using series_hash_function = std::uint64_t (*)(std::string_view merchant,
                                                 std::string_view currency);

  explicit merchant_aggregator_state(const aggregator_config& cfg,
                                     series_hash_function hash = default_series_hash);

  static std::uint64_t default_series_hash(std::string_view merchant, std::string_view currency);

  /// Declares p an upstream: the watermark waits for p's first records (or
  /// for p to be declared idle) before it advances.
  void assign_partition(std::int32_t p, std::int64_t now_ms);

  /// Adds a batch of partition p (offset order), then advances the
  /// watermark and closes windows.
  void add(std::int32_t p, const std::vector<shard_record>& records, std::int64_t now_ms,
           aggregator_output& out);

  /// add() for the `n` records of this shard in a partition-consumer's
  /// sub-batch, which also carries the partition's max event time after the
  /// whole batch: p's watermark here follows all of p's records, not only
  /// those of this shard's merchants. `out.late` indexes into `records`.
  void add(std::int32_t p, const shard_record* records, std::size_t n,
           std::int64_t partition_max_ms, std::int64_t now_ms, aggregator_output& out);

  /// p's max event time after a batch with no record for this shard.
  void on_progress(std::int32_t p, std::int64_t partition_max_ms, std::int64_t now_ms,
                   aggregator_output& out);

  /// p's progress (max event time of all its records) and idleness from
  /// its consumer; may advance the watermark.
  void on_status(const partition_status& status, std::int64_t now_ms, aggregator_output& out);

  /// add() for whole transactions (converted to shard records).
  void add(std::int32_t p, const std::vector<transaction>& txns, std::int64_t now_ms,
           aggregator_output& out);

  /// The passing of wall time: emits totals held for totals_interval_ms.
  void tick(std::int64_t now_ms, aggregator_output& out);

  /// p reached the end of its input; may advance the watermark.
  void finish_partition(std::int32_t p, aggregator_output& out);

  /// Closes every open window and emits every pending total (end of input).
  void flush_all(aggregator_output& out);

  /// Restart, per partition, before p's first add(). On a live state (p
  /// re-attached after a rebalance) it merges: offsets already handled stay
  /// skipped, so re-delivered records are not counted twice.
  void restore_partition(std::int32_t p, const partition_checkpoint& cp, std::int64_t now_ms);

  /// Restart: seeds the running total of total.merchant_id x currency, the
  /// newest that reached the output. Re-read records (offset up to the
  /// checkpoint's last_offset) of the series' windows ending at or before
  /// its last_window_end are skipped: those windows were emitted.
  void restore_total(const running_total& total);

  /// Lowest offset of p counted in a still open window, or no_offset
  /// (INT64_MAX) when no open window holds a record of p.
  std::int64_t open_min_offset(std::int32_t p) const;

  std::int64_t watermark() const noexcept {
    return tracker_.watermark();
  }

  /// Windows ending at or before this are closed (monotonic).
  std::int64_t closed_through() const noexcept {
    return closed_through_;
  }

  /// Open merchant x currency x window cells.
  std::size_t open_windows() const noexcept {
    return open_cells_;
  }

  /// Bytes the open windows hold, about.
  std::size_t open_window_bytes() const;

  /// All running totals, by merchant then currency (for snapshots).
  std::vector<running_total> totals() const;

  const watermark_tracker& tracker() const noexcept {
    return tracker_;
  }

private:
  using bucket = window_cells;  // one open window
  struct series {
    std::uint32_t merchant;
    std::uint32_t currency;
  };
  struct total_slot {
    bool present = false;
    bool changed = false;  // in pending_totals_
    std::int64_t count = 0;
    std::int64_t purchase = 0;
    std::int64_t refund = 0;
    std::int64_t as_of = 0;
    std::int64_t last_window_end = no_event_time;
    // last_window_end as restored: the series' windows up to it were
    // emitted before the restart.
    std::int64_t restored_through = no_event_time;
  };
  struct replay_slot {
    std::int64_t last_offset = -1;
    std::int64_t closed_through = no_event_time;
  };

  std::uint32_t series_of(const std::string& merchant, const std::string& currency);
  std::uint32_t series_of(const std::string& merchant, const std::string& currency,
                          std::uint64_t hash);
  std::uint32_t new_series(const std::string& merchant, const std::string& currency);
  /// Fills sids_ with the series of every record, prefetching their cells
  /// in the window starting at `likely_start` when it is open.
  void resolve_series(const shard_record* txns, std::size_t n, std::int64_t likely_start);
  bucket& bucket_at(std::int64_t start);
  void count(const shard_record& r, std::uint32_t sid, bucket& b);
  /// Classifies and counts one batch of p (no windows close).
  void count_batch(std::int32_t p, const shard_record* records, std::size_t n,
                   aggregator_output& out);
  void advance_and_close(aggregator_output& out);
  void close_until(std::int64_t wm, aggregator_output& out);
  /// Emits the pending totals and releases the closed windows' offsets when
  /// totals_interval_ms has passed since the last emission, or `now`.
  void emit_totals(aggregator_output& out, bool now);
  void note_time(std::int64_t now_ms) {
    now_ms_ = std::max(now_ms_, now_ms);
  }
  bool series_less(std::uint32_t a, std::uint32_t b) const;
  running_total make_total(std::uint32_t sid) const;
  const replay_slot* replay_of(std::int32_t p) const;

  aggregator_config cfg_;
  series_hash_function series_hash_;
  watermark_tracker tracker_;
  commit_frontier frontier_;
  std::int64_t closed_through_ = no_event_time;
  std::size_t open_cells_ = 0;

  // Interning: one allocation per new merchant, currency or series, none
  // per record (lookups take the record's own strings).
  absl::flat_hash_map<std::string, std::uint32_t> merchant_ids_;
  absl::flat_hash_map<std::string, std::uint32_t> currency_ids_;
  std::vector<std::string> merchant_names_;
  std::vector<std::string> currency_names_;
  // Series by a 64-bit hash of (merchant, currency), checked against the
  // series' names: one probe per record, where looking up the merchant, then
  // the currency, then the merchant's pairs touched three tables. A series
  // whose hash another series holds lives in collided_series_.
  absl::flat_hash_map<std::uint64_t, std::uint32_t> series_by_hash_;
  std::unordered_map<std::string, std::uint32_t> collided_series_;
  std::vector<series> series_;
  std::vector<std::uint64_t> hashes_;  // scratch of add(): series hashes
  std::vector<std::uint32_t> sids_;    // and series ids, by record
  std::vector<total_slot> totals_;     // by series id
  // Totals changed by closes and not yet emitted, and the closed windows
  // (by start) whose offsets stay held until they are: after a crash the
  // records of those windows are read again, the windows re-emitted with
  // the same values and folded into the totals then.
  std::vector<std::uint32_t> pending_totals_;
  std::vector<std::int64_t> held_windows_;
  std::int64_t now_ms_ = std::numeric_limits<std::int64_t>::min();
  std::int64_t totals_emitted_ms_ = std::numeric_limits<std::int64_t>::min();

  std::map<std::int64_t, bucket> buckets_;  // open windows by start
  std::int64_t cached_start_ = no_event_time;
  bucket* cached_bucket_ = nullptr;

  std::vector<replay_slot> replay_;  // by partition id
};

}  // namespace txstream
