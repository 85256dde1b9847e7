// Merchant -> virtual shard, and virtual shard -> host actor
// (docs/windows-and-watermarks.md, docs/cluster.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/aggregator_config.hpp"
#include "messages/shard_routes.hpp"

namespace txstream {

/// FNV-1a 64 of the bytes of `s`. Fixed by definition, so every process on
/// every platform agrees on it.
std::uint64_t fnv1a_64(std::string_view s) noexcept;

/// The virtual shard that owns `merchant_id`: fnv1a_64(merchant_id) mod
/// shards. Requires shards > 0.
std::uint32_t shard_of(std::string_view merchant_id, std::uint32_t shards) noexcept;

/// The routes of a cluster at one epoch from each aggregate node's own
/// (host_of: an index into that node's hosts, or no_host): the nodes' hosts
/// one after the other, in the order given. Nullopt, with the reason in
/// `error`, unless every node routes by `epoch` and every shard has exactly
/// one host.
std::optional<shard_routes> join_routes(std::uint64_t epoch, const std::vector<shard_routes>& nodes,
                                        std::uint32_t shards, std::string* error = nullptr);

/// Every shard on one node: `aggregator_count(cfg)` hosts, shard s on host
/// s mod hosts.
shard_routes local_routes(const aggregator_config& cfg, std::uint64_t epoch = 0);

/// The shards host `host` of `routes` owns, ascending.
std::vector<std::uint32_t> shards_of_host(const shard_routes& routes, std::uint32_t host);

}  // namespace txstream
