// The input's transaction schema (docs/output-contracts.md, "Input") as it
// lives inside txstream.
#pragma once

#include <cstdint>
#include <string>

#include "messages/compact_string.hpp"

namespace txstream {

enum class transaction_type : std::uint8_t { purchase, refund };

enum class payment_method : std::uint8_t {
  credit_card,
  debit_card,
  paypal,
  bank_transfer,
};

/// Where a record came from: its Kafka partition and offset.
struct source_position {
  std::int32_t partition = -1;
  std::int64_t offset = -1;
};

inline bool operator==(const source_position& a, const source_position& b) {
  return a.partition == b.partition && a.offset == b.offset;
}

/// One decoded, validated transaction. Money is int64 minor units (cents) and
/// event time is Unix epoch milliseconds: sums must be exact and replayable.
struct transaction {
  compact_string transaction_id;  // inline: a UUID costs no allocation
  std::string user_id;
  std::string merchant_id;
  std::string location;
  std::string currency;  // ISO 4217, three upper-case letters
  std::int64_t amount_cents = 0;
  std::int64_t event_time_ms = 0;
  transaction_type type = transaction_type::purchase;
  payment_method method = payment_method::credit_card;
  bool is_international = false;
  source_position source;  // filled by the partition-consumer, not on the wire
};

inline bool operator==(const transaction& a, const transaction& b) {
  return a.transaction_id == b.transaction_id && a.user_id == b.user_id
         && a.merchant_id == b.merchant_id && a.location == b.location && a.currency == b.currency
         && a.amount_cents == b.amount_cents && a.event_time_ms == b.event_time_ms
         && a.type == b.type && a.method == b.method && a.is_international == b.is_international
         && a.source == b.source;
}

const char* to_string(transaction_type x);
const char* to_string(payment_method x);

}  // namespace txstream
