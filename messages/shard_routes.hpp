// Where the records of each virtual shard go at one shard-map version: sent
// between nodes, so a message (actors/shard_router.hpp builds them).
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace txstream {

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

/// host_of of a shard another node hosts (in one node's own routes).
inline constexpr std::uint32_t no_host = std::numeric_limits<std::uint32_t>::max();

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_routes& x) {
  return f(caf::meta::type_name("shard_routes"), x.epoch, x.hosts, x.host_of);
}

}  // namespace txstream
