// Bytes a message takes on a link between nodes, without serializing it:
// the link metrics count them for every batch sent to another node.
#pragma once

#include <cstddef>

#include "messages/transaction_batch.hpp"

namespace txstream {

/// What CAF 0.17's binary serializer writes for `b` (the payload of the
/// BASP message; the BASP header and the message's type names come on top).
std::size_t wire_size(const shard_batch& b) noexcept;

}  // namespace txstream
