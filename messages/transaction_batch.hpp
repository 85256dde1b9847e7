// The hot-path message: many transactions of one partition in one message.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "messages/transaction.hpp"

namespace txstream {

/// Transactions of one source partition, in offset order. Batches of one
/// partition carry consecutive sequence numbers so receivers can ack them.
struct transaction_batch {
  std::int32_t partition = -1;
  std::uint64_t sequence = 0;
  std::vector<transaction> transactions;
};

inline bool operator==(const transaction_batch& a, const transaction_batch& b) {
  return a.partition == b.partition && a.sequence == b.sequence && a.transactions == b.transactions;
}

/// What a merchant shard needs of a transaction: a window is made of
/// merchant, currency, amount, time and type; the source position keeps
/// commits exact. Less than half a transaction's size (104 bytes against
/// 224), so the per-shard copies a partition-consumer makes are cheap to
/// write, send and free.
struct shard_record {
  std::string merchant_id;
  std::string currency;
  std::int64_t amount_cents = 0;
  std::int64_t event_time_ms = 0;
  source_position source;
  transaction_type type = transaction_type::purchase;

  shard_record() = default;
  explicit shard_record(const transaction& tx)
    : merchant_id(tx.merchant_id),
      currency(tx.currency),
      amount_cents(tx.amount_cents),
      event_time_ms(tx.event_time_ms),
      source(tx.source),
      type(tx.type) {
    // nop
  }
};

static_assert(sizeof(shard_record) <= 104, "the shard record grew");

inline bool operator==(const shard_record& a, const shard_record& b) {
  return a.merchant_id == b.merchant_id && a.currency == b.currency
         && a.amount_cents == b.amount_cents && a.event_time_ms == b.event_time_ms
         && a.source == b.source && a.type == b.type;
}

/// The records of one shard inside a shard_batch: [begin, end).
struct shard_run {
  std::uint32_t shard = 0;
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
};

inline bool operator==(const shard_run& a, const shard_run& b) {
  return a.shard == b.shard && a.begin == b.begin && a.end == b.end;
}

/// The records of one source partition's batch that belong to the shards
/// of one host, grouped by shard (`runs`), each shard's in offset order
/// (same sequence number as the batch), and the partition's event-time
/// progress after the whole batch: a shard's watermark follows the
/// partition, not just the records it is sent. `epoch` is the shard map
/// version the sender routed by; `link_sequence` counts the sender's
/// batches to this host (1, 2, ...), so a receiver never processes past a
/// gap.
struct shard_batch {
  std::int32_t partition = -1;
  std::uint64_t sequence = 0;
  std::uint64_t epoch = 0;
  std::uint64_t link_sequence = 0;
  std::vector<shard_record> records;
  std::vector<shard_run> runs;
  /// Max event time of the partition's records routed so far (all shards).
  std::int64_t max_event_time_ms = std::numeric_limits<std::int64_t>::min();
};

inline bool operator==(const shard_batch& a, const shard_batch& b) {
  return a.partition == b.partition && a.sequence == b.sequence && a.epoch == b.epoch
         && a.link_sequence == b.link_sequence && a.records == b.records && a.runs == b.runs
         && a.max_event_time_ms == b.max_event_time_ms;
}

}  // namespace txstream
