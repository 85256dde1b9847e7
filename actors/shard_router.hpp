// Merchant -> virtual shard, and virtual shard -> host actor
// (docs/windows-and-watermarks.md, docs/cluster.md).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "config/aggregator_config.hpp"

namespace txstream {

/// FNV-1a 64 of the bytes of `s`. Fixed by definition, so every process on
/// every platform agrees on it.
std::uint64_t fnv1a_64(std::string_view s) noexcept;

/// The virtual shard that owns `merchant_id`: fnv1a_64(merchant_id) mod
/// shards. Requires shards > 0.
std::uint32_t shard_of(std::string_view merchant_id,
                       std::uint32_t shards) noexcept;

/// Where the records of each virtual shard go at one shard-map version
/// (`epoch`): the index of the shard's host among a list of `hosts` host
/// actors (the list itself, with the actor handles, is the caller's).
struct shard_routes {
  std::uint64_t epoch = 0;
  std::uint32_t hosts = 0;
  std::vector<std::uint32_t> host_of;  // by virtual shard

  std::uint32_t shards() const noexcept {
    return static_cast<std::uint32_t>(host_of.size());
  }
};

/// Every shard on one node: `aggregator_count(cfg)` hosts, shard s on host
/// s mod hosts.
shard_routes local_routes(const aggregator_config& cfg, std::uint64_t epoch = 0);

/// The shards host `host` of `routes` owns, ascending.
std::vector<std::uint32_t> shards_of_host(const shard_routes& routes, std::uint32_t host);

} // namespace txstream
