// What the node's Kafka ingress decides, without CAF or Kafka: which records
// wait and which go to a partition-consumer (flow control, batching), which
// partitions are idle, what to commit, and when an --until-drained run ends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "actors/raw_batch_pool.hpp"
#include "messages/pipeline_messages.hpp"

namespace txstream {

/// The ingress's limits and timers (times in ms of a monotonic clock).
struct ingress_limits {
  /// Most records per batch handed to a partition-consumer.
  std::size_t max_batch_records = 2000;
  /// Batches of a partition queued in its pipeline before its records wait.
  std::size_t max_in_flight_batches = 32;
  /// While 2+ batches are queued, how long records may wait to join a
  /// bigger batch.
  std::int64_t batch_linger_ms = 5;
  /// Silence after which a partition read to its log end is idle.
  std::int64_t idle_timeout_ms = 10000;
  /// --until-drained: end once every partition is read to its log end and
  /// silent this long, every window flushed and every offset committed.
  bool until_drained = false;
  std::int64_t drain_idle_ms = 2000;
  /// The input's partition count when this node alone reads it (a node on
  /// its own): it has drained only once it reads all of them. While
  /// another member of its group (a killed predecessor, until its session
  /// times out) holds some, the rest of the input is not its to end. 0: the
  /// partitions assigned are this node's share (a cluster).
  std::size_t whole_input_partitions = 0;
  /// How often the log end of a silent partition is asked of the broker.
  std::int64_t confirm_interval_ms = 1000;
};

/// A partition's commit point, to hand to Kafka.
struct ingress_commit {
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  std::string metadata;
};

/// The ingress's decisions over the partitions assigned to it.
///
/// Idleness: a partition is idle only when nothing came for the idle
/// timeout *and* the broker confirmed, after its last record, that there is
/// nothing more to read (its log end is at our position). A silent partition
/// with records waiting in Kafka (a stalled fetch, a rebalance, a slow
/// broker) is not idle and keeps holding the watermarks.
class ingress_state {
public:
  /// Handed-over buffers are replaced from `pool` (null: fresh ones).
  explicit ingress_state(ingress_limits limits, raw_batch_pool* pool = nullptr);

  const ingress_limits& limits() const noexcept {
    return limits_;
  }

  /// Batches a partition may have queued in its pipeline from now on (the
  /// memory budget's share divided among the partitions assigned).
  void set_in_flight_limit(std::size_t batches) noexcept {
    limits_.max_in_flight_batches = batches;
  }

  /// p was assigned; it is committed up to `resume_offset`, and reading
  /// starts there or at `read_from` if earlier (the detector's re-read).
  /// `load` is what p's partition-consumer publishes about its queue.
  void assign(std::int32_t p, std::int64_t resume_offset, std::shared_ptr<partition_load> load,
              std::int64_t now_ms, std::int64_t read_from = -1);

  /// p was revoked: its pending records are dropped (they will be read
  /// again by its next owner, from the committed offset).
  void revoke(std::int32_t p);

  bool owns(std::int32_t p) const {
    return slots_.count(p) != 0;
  }
  bool empty() const noexcept {
    return slots_.empty();
  }
  std::vector<std::int32_t> partitions() const;

  /// A record read from Kafka. False when it is not taken: p is not ours
  /// (revoked meanwhile) or the offset was read before (a re-fetch).
  bool on_record(std::int32_t p, std::int64_t offset, std::string_view key, std::string_view value,
                 std::int64_t timestamp_ms, std::int64_t now_ms);

  /// Kafka says p has nothing more after `offset` (the end of its log).
  void on_end_of_partition(std::int32_t p, std::int64_t offset);

  /// A held partition's records fill a whole batch: stop reading, so that
  /// librdkafka's bounded prefetch queue holds the fetcher back.
  bool reading_blocked() const;

  /// How many records may be read now (at most `per_call`), so that no
  /// partition's pending batch grows beyond max_batch_records.
  std::size_t room(std::size_t per_call) const;

  /// Records wait in some partition's pending batch.
  bool any_pending() const;

  /// Records of p read and not yet handed over.
  std::size_t pending_records(std::int32_t p) const;

  /// Moves p's pending records into `out` when flow control lets them go
  /// now: p has fewer than max_in_flight_batches queued, and while its
  /// pipeline is busy the batch is full or has lingered long enough.
  bool take_batch(std::int32_t p, std::int64_t now_ms, raw_batch& out);

  /// Partitions whose log end the caller should ask the broker for now
  /// (silent ones that may be idle or drained), each at most once per
  /// confirm_interval_ms. Appends to `out`.
  void confirmations_due(std::int64_t now_ms, std::vector<std::int32_t>& out);

  /// The broker's log end (high watermark) of p, asked at `now_ms`; -1
  /// when the query failed.
  void on_log_end(std::int32_t p, std::int64_t log_end, std::int64_t now_ms);

  /// Partitions whose idleness changed since the last call, as (p, idle):
  /// to tell their consumers before any new batch of theirs.
  void idle_changes(std::int64_t now_ms, std::vector<std::pair<std::int32_t, bool>>& out);

  bool is_idle(std::int32_t p) const;

  /// p's consumer may commit `offset` (all of p's outputs below it are in
  /// Kafka), with `metadata` for a replay.
  void on_commit_point(std::int32_t p, std::int64_t offset, std::string metadata);

  /// Commit points that moved since the last call. Appends to `out`.
  void take_commits(std::vector<ingress_commit>& out);

  /// What an --until-drained ingress does now.
  enum class drain_step {
    none,     // input continues
    flush,    // the input ended: end every partition, flush every window
    resumed,  // records came after a flush: the next end flushes again
    done,     // flushed and committed to the end: exit
  };
  drain_step drain(std::int64_t now_ms);

  /// The input ended and the windows are being flushed (--until-drained).
  bool flushing() const noexcept {
    return flushing_;
  }

  /// Where reading continues in p (after the last record read).
  std::int64_t next_offset(std::int32_t p) const;

  std::uint64_t records_read() const noexcept {
    return records_read_;
  }

private:
  struct slot {
    raw_batch pending;
    std::int64_t pending_since_ms = 0;
    std::int64_t next_offset = -1;  // after the last record read
    std::int64_t position = -1;     // next_offset, or past an end marker
    bool at_end = false;
    bool held = false;
    std::uint64_t sent = 0;  // batches handed to the consumer
    std::shared_ptr<partition_load> load;
    std::int64_t commit_offset = -1;
    std::string commit_metadata;
    bool commit_dirty = false;
    std::int64_t last_record_ms = 0;  // or the assignment
    bool idle = false;                // as last reported
    std::int64_t log_end = -1;        // the broker's, when last asked
    std::int64_t log_end_at_ms = 0;
    bool log_end_known = false;
    std::int64_t asked_at_ms = 0;
    bool asked = false;

    std::uint64_t outstanding() const;
  };

  bool silent_for(const slot& s, std::int64_t ms, std::int64_t now_ms) const;
  /// The broker confirmed, after p's last record and recently, that there
  /// is nothing more to read.
  bool caught_up(const slot& s, std::int64_t now_ms) const;
  bool drain_candidate(const slot& s, std::int64_t now_ms) const;
  bool idle_now(const slot& s, std::int64_t now_ms) const;

  ingress_limits limits_;
  raw_batch_pool* pool_;
  std::map<std::int32_t, slot> slots_;
  std::uint64_t records_read_ = 0;
  bool flushing_ = false;
  std::uint64_t records_at_flush_ = 0;
};

}  // namespace txstream
