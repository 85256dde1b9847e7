// State of one partition-consumer: decoding, lateness, routing to shards,
// and the bookkeeping that decides which offset is safe to commit.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "actors/raw_batch_pool.hpp"
#include "actors/tumbling_window.hpp"
#include "config/aggregator_config.hpp"
#include "messages/dead_letter.hpp"
#include "messages/pipeline_messages.hpp"
#include "messages/transaction_batch.hpp"
#include "messages/transaction_decoder.hpp"

namespace txstream {

/// What route() made of one raw batch.
struct routed_batch {
  /// Every valid transaction, late or not: the fraud detector's input.
  transaction_batch valid;
  /// Non-late transactions per shard, as shard records (the fields
  /// aggregation uses); only shards listed in `shards` get one.
  std::vector<std::uint32_t> shards;
  std::vector<shard_batch> per_shard;  // parallel to `shards`
  /// Records that could not be decoded, or are behind the partition
  /// watermark: on their way to the dead-letter topic.
  std::vector<dead_letter> dead;
};

/// Encodes/decodes the commit metadata ("v1 <max_event_time>").
std::string encode_commit_metadata(const partition_resume_point& p);
partition_resume_point decode_commit_metadata(std::int64_t offset,
                                              const std::string& metadata);

/// One partition's consumer logic without CAF or Kafka.
///
/// A batch is "done" when every recipient acked it (each shard that got a
/// sub-batch, and the fraud detector) and its dead letters are delivered.
/// The commit offset is the lowest of: the first offset of the oldest batch
/// not done, the lowest offset any shard still holds in an open window, and
/// the next offset to read. Everything below it has all its effects in Kafka.
class partition_consumer_state {
public:
  /// `max_future_ms`: events further ahead of their record's Kafka
  /// timestamp are dead-lettered as future_time (0: no limit).
  partition_consumer_state(std::int32_t partition, std::string topic,
                           const aggregator_config& cfg,
                           partition_resume_point resume,
                           std::int64_t max_future_ms = 0);

  /// Raw batches this state is done with go back to `pool` (null: freed).
  void recycle_into(raw_batch_pool* pool) noexcept {
    pool_ = pool;
  }

  /// Decodes and routes `raw` as batch number `next_sequence()`; records the
  /// batch as in flight. `with_detector`: the detector will ack it too.
  /// The batch is kept (moved, not copied) until every shard acked it.
  void route(raw_batch&& raw, bool with_detector, routed_batch& out);

  /// A shard processed batch `p.sequence`; returns the dead letters for its
  /// late records (payloads taken from the batch kept until then).
  std::vector<dead_letter> on_shard_processed(const shard_processed& p);
  /// A shard's outputs for batch `ack.sequence` are delivered.
  void on_shard_ack(const shard_ack& ack);
  void on_shard_progress(std::uint32_t shard, std::int64_t open_min_offset);
  void on_detector_processed(std::uint64_t sequence);
  void on_detector_ack(std::uint64_t sequence);
  /// `count` dead letters of batch `sequence` were handed to the sink...
  void dead_letters_sent(std::uint64_t sequence, std::size_t count);
  /// ...and these are now delivered.
  void dead_letters_delivered(std::uint64_t sequence, std::size_t count);

  /// The offset that is safe to commit, with its metadata; forgets history
  /// below it. Until a shard reported (an ack or progress) it may hold
  /// records of this partition from before in open windows, so the commit
  /// point stays at the resume offset.
  partition_resume_point commit_point();

  /// Shards that got none of this partition's latest records and have not
  /// heard its max event time for `interval_ms`: they should get a
  /// partition_status, so their watermark follows the partition. Marks them
  /// told. Appends to `out`.
  void shards_behind(std::int64_t now_ms, std::int64_t interval_ms,
                     std::vector<std::uint32_t>& out);

  /// Every shard heard the partition's current max event time (a status
  /// went to all of them).
  void all_shards_told(std::int64_t now_ms);

  /// Batches not yet fully done (their offsets cannot be committed yet).
  std::size_t in_flight() const noexcept { return in_flight_.size(); }
  /// Batches not yet processed by every shard and the detector: the work
  /// (and memory) queued in the pipeline, for flow control.
  std::size_t unprocessed() const noexcept { return unprocessed_; }
  std::uint64_t next_sequence() const noexcept { return next_sequence_; }
  std::int64_t next_offset() const noexcept { return next_offset_; }
  std::int64_t max_event_time() const noexcept { return max_event_time_; }
  std::int32_t partition() const noexcept { return partition_; }

private:
  struct batch_entry {
    std::uint64_t sequence = 0;
    std::int64_t first_offset = 0;
    int pending_acks = 0;       // shards + detector, after delivery
    int pending_processed = 0;  // shards, before delivery
    bool detector_pending = false;
    bool counted_processed = false;
    std::size_t pending_dead = 0;
    raw_batch raw;  // kept until every shard acked, for late payloads
  };

  batch_entry* find(std::uint64_t sequence);
  void pop_done();
  void check_processed(batch_entry& e);
  void release(raw_batch& raw);
  dead_letter make_dead(const raw_batch& raw, const raw_record& r,
                        dead_letter_reason reason, std::string detail) const;

  /// True (and a dead letter made) when tx claims a time too far ahead of
  /// the record's arrival in Kafka.
  bool reject_future(const raw_batch& raw, const raw_record& r,
                     const transaction& tx, routed_batch& out) const;

  std::int32_t partition_;
  std::string topic_;
  aggregator_config cfg_;
  std::int64_t max_future_ms_;
  raw_batch_pool* pool_ = nullptr;
  transaction_decoder decoder_;
  std::int64_t max_event_time_;
  std::int64_t next_offset_;
  std::uint64_t next_sequence_ = 1;
  std::size_t unprocessed_ = 0;
  std::deque<batch_entry> in_flight_;
  std::vector<std::int64_t> shard_open_min_;  // by shard
  // The partition's max event time each shard last heard, and when it last
  // got a status (rate limit).
  std::vector<std::int64_t> told_max_;
  std::vector<std::int64_t> told_at_;
  std::vector<int> shard_slot_;               // scratch: shard -> index in out
  // Scratch of route(): (index in out.valid, index in out.shards) of every
  // record for a shard, and the record count per index in out.shards.
  struct shard_route {
    std::uint32_t index;
    std::uint32_t slot;
  };
  std::vector<shard_route> routes_;
  std::vector<std::uint32_t> shard_sizes_;
  // (first offset, max event time before it) of every batch since the last
  // commit point: commits round down to a batch start, where the max event
  // time that makes a replay classify records identically is known.
  std::deque<partition_resume_point> history_;
};

} // namespace txstream
