// The hot-path message: many transactions of one partition in one message.
#pragma once

#include <cstdint>
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
  return a.partition == b.partition && a.sequence == b.sequence
         && a.transactions == b.transactions;
}

} // namespace txstream
