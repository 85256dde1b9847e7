// Merchant -> shard mapping and batch splitting (docs/windows-and-watermarks.md).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "config/aggregator_config.hpp"
#include "messages/transaction.hpp"

namespace txstream {

/// FNV-1a 64 of the bytes of `s`. Fixed by definition, so every process on
/// every platform agrees on it.
std::uint64_t fnv1a_64(std::string_view s) noexcept;

/// The shard that owns `merchant_id`: fnv1a_64(merchant_id) mod shards.
/// Requires shards > 0.
std::uint32_t shard_of(std::string_view merchant_id,
                       std::uint32_t shards) noexcept;

/// The aggregator actor hosting `merchant_id`'s shard: shard_of(merchant_id,
/// shards) mod actors. Requires shards > 0 and actors > 0.
std::uint32_t aggregator_of(std::string_view merchant_id, std::uint32_t shards,
                            std::uint32_t actors) noexcept;

/// The same for a node's settings: `cfg.shards` hosted by
/// aggregator_count(cfg) actors.
std::uint32_t aggregator_of(std::string_view merchant_id,
                            const aggregator_config& cfg) noexcept;

/// Splits a batch by shard into per-shard lists of indices into `txns`,
/// in batch order. `out` is resized to `shards`; its inner vectors are
/// cleared but keep their capacity, so a reused `out` does not allocate.
void split_indices(const std::vector<transaction>& txns, std::uint32_t shards,
                   std::vector<std::vector<std::uint32_t>>& out);

/// Moves the transactions of a batch into one vector per shard (exact
/// capacity, batch order kept). Result has `shards` entries.
std::vector<std::vector<transaction>>
split_by_shard(std::vector<transaction>&& txns, std::uint32_t shards);

} // namespace txstream
