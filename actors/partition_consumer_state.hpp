// State of one partition-consumer: decoding, lateness, routing to shards,
// and the bookkeeping that decides which offset is safe to commit.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "actors/raw_batch_pool.hpp"
#include "actors/shard_router.hpp"
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
  /// Non-late transactions per host (shard records, the fields aggregation
  /// uses, grouped by shard); only hosts listed in `hosts` get one.
  std::vector<std::uint32_t> hosts;
  std::vector<shard_batch> per_host;  // parallel to `hosts`
  /// Records that could not be decoded, or are behind the partition
  /// watermark: on their way to the dead-letter topic.
  std::vector<dead_letter> dead;
};

/// Encodes/decodes the commit metadata ("v2 <max_event_time> <detector_from>";
/// "v1 <max_event_time>" of earlier versions reads as detector_from = offset).
std::string encode_commit_metadata(const partition_resume_point& p);
partition_resume_point decode_commit_metadata(std::int64_t offset, const std::string& metadata);

/// One partition's consumer logic without CAF or Kafka.
///
/// A batch is "done" when every recipient acked it (each shard that got a
/// sub-batch, and the fraud detector) and its dead letters are delivered.
/// The commit offset is the lowest of: the first offset of the oldest batch
/// not done, the lowest offset any shard still holds in an open window, and
/// the next offset to read. Everything below it has all its effects in Kafka.
///
/// The detector's history reaches further back than the open windows, so
/// the commit metadata also names where a restarted detector re-reads from
/// (`detector_from`): the start of a batch before which every record is
/// older than the partition's max event time minus `detector_replay_ms`.
/// Records read below the resume offset (that re-read) go to the detector
/// only: they were counted, dead-lettered and checked for lateness before.
class partition_consumer_state {
public:
  /// Records go to the hosts of `routes`. `max_future_ms`: events further
  /// ahead of their record's Kafka timestamp are dead-lettered as
  /// future_time (0: no limit). `detector_replay_ms`: event time the
  /// detector's re-read covers (0: none).
  partition_consumer_state(std::int32_t partition, std::string topic, const aggregator_config& cfg,
                           shard_routes routes, partition_resume_point resume,
                           std::int64_t max_future_ms = 0, std::int64_t detector_replay_ms = 0);

  /// Raw batches this state is done with go back to `pool` (null: freed).
  void recycle_into(raw_batch_pool* pool) noexcept {
    pool_ = pool;
  }

  /// Decodes and routes `raw` as batch number `next_sequence()`; records the
  /// batch as in flight. `with_detector`: the detector will ack it too.
  /// The batch is kept (moved, not copied) until every shard acked it.
  void route(raw_batch&& raw, bool with_detector, routed_batch& out);

  /// A host processed batch `p.sequence`; returns the dead letters for its
  /// late records (payloads taken from the batch kept until then).
  std::vector<dead_letter> on_shard_processed(const shard_processed& p);
  /// A host's outputs for batch `ack.sequence` are delivered; its shards'
  /// holds come with it.
  void on_shard_ack(const shard_ack& ack);
  /// What shards hold of the partition, unsolicited.
  void on_shard_progress(const shard_progress& progress);
  void on_detector_processed(std::uint64_t sequence);
  void on_detector_ack(std::uint64_t sequence);
  /// `count` dead letters of batch `sequence` were handed to the sink...
  void dead_letters_sent(std::uint64_t sequence, std::size_t count);
  /// ...and these are now delivered.
  void dead_letters_delivered(std::uint64_t sequence, std::size_t count);

  /// The offset that is safe to commit, with its metadata (never below the
  /// resume offset; detector_from at or below it); forgets history below
  /// it. Until a shard reported (an ack or progress) it may hold records of
  /// this partition from before in open windows, so the commit point stays
  /// at the resume offset.
  partition_resume_point commit_point();

  /// Hosts that got none of this partition's latest records and have not
  /// heard its max event time for `interval_ms`: they should get a
  /// partition_status, so their shards' watermarks follow the partition.
  /// Marks them told. Appends to `out`.
  void hosts_behind(std::int64_t now_ms, std::int64_t interval_ms, std::vector<std::uint32_t>& out);

  /// Every host heard the partition's current max event time (a status
  /// went to all of them).
  void all_hosts_told(std::int64_t now_ms);

  const shard_routes& routes() const noexcept {
    return routes_;
  }

  /// Batches not yet fully done (their offsets cannot be committed yet).
  std::size_t in_flight() const noexcept {
    return in_flight_.size();
  }
  /// Batches not yet processed by every shard and the detector: the work
  /// (and memory) queued in the pipeline, for flow control.
  std::size_t unprocessed() const noexcept {
    return unprocessed_;
  }
  std::uint64_t next_sequence() const noexcept {
    return next_sequence_;
  }
  std::int64_t next_offset() const noexcept {
    return next_offset_;
  }
  std::int64_t max_event_time() const noexcept {
    return max_event_time_;
  }
  std::int32_t partition() const noexcept {
    return partition_;
  }

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
  /// Splits the counted records of route() among the hosts.
  void fill_hosts(routed_batch& out);
  void note_holds(const std::vector<shard_hold>& holds);
  void pop_done();
  void check_processed(batch_entry& e);
  void release(raw_batch& raw);
  dead_letter make_dead(const raw_batch& raw, const raw_record& r, dead_letter_reason reason,
                        std::string detail) const;

  /// tx claims a time too far ahead of the record's arrival in Kafka.
  bool is_future(const raw_record& r, const transaction& tx) const;
  /// is_future(), and if so a dead letter made.
  bool reject_future(const raw_batch& raw, const raw_record& r, const transaction& tx,
                     routed_batch& out) const;
  /// Remembers where a batch starting at `offset` begins, for detector_from.
  void note_replay_mark(std::int64_t offset);
  /// Where a detector restarted now would have to re-read from.
  std::int64_t advance_detector_from(std::int64_t commit_offset);

  std::int32_t partition_;
  std::string topic_;
  aggregator_config cfg_;
  shard_routes routes_;
  std::int64_t max_future_ms_;
  raw_batch_pool* pool_ = nullptr;
  transaction_decoder decoder_;
  std::int64_t max_event_time_;
  std::int64_t next_offset_;
  std::uint64_t next_sequence_ = 1;
  std::size_t unprocessed_ = 0;
  std::deque<batch_entry> in_flight_;
  std::vector<std::int64_t> shard_open_min_;  // by virtual shard
  // The partition's max event time each host last heard, and when it last
  // got a status (rate limit); the batches sent to each host so far.
  std::vector<std::int64_t> told_max_;
  std::vector<std::int64_t> told_at_;
  std::vector<std::uint64_t> link_sent_;
  // Scratch of route(): (index in out.valid, shard) of every counted
  // record, the same ordered by shard, the count per shard, the slot in
  // `out.hosts` per host (-1: none yet).
  struct shard_route {
    std::uint32_t index;
    std::uint32_t shard;
  };
  std::vector<shard_route> counted_;
  std::vector<std::uint32_t> by_shard_;
  std::vector<std::uint32_t> shard_count_;
  std::vector<std::uint32_t> shard_start_;
  std::vector<std::uint32_t> host_size_;
  std::vector<int> host_slot_;
  // (first offset, max event time before it) of every batch since the last
  // commit point: commits round down to a batch start, where the max event
  // time that makes a replay classify records identically is known.
  std::deque<partition_resume_point> history_;
  // Records below it were fully done before this start: the detector's only.
  std::int64_t resume_offset_;
  std::int64_t detector_replay_ms_;
  std::int64_t detector_from_;
  // Max event time of the records re-read below the resume offset.
  std::int64_t reread_max_ = no_event_time;
  // (batch start, a bound of the event times before it), at most one per
  // replay_ms / 1000 of event time.
  struct replay_mark {
    std::int64_t offset;
    std::int64_t max_before;
  };
  std::deque<replay_mark> replay_marks_;
};

}  // namespace txstream
