#include "actors/shard_router.hpp"

#include <cassert>

namespace txstream {

std::uint64_t fnv1a_64(std::string_view s) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::uint32_t shard_of(std::string_view merchant_id, std::uint32_t shards) noexcept {
  assert(shards > 0);
  return static_cast<std::uint32_t>(fnv1a_64(merchant_id) % shards);
}

std::optional<shard_routes> join_routes(std::uint64_t epoch, const std::vector<shard_routes>& nodes,
                                        std::uint32_t shards, std::string* error) {
  auto fail = [&](std::string why) -> std::optional<shard_routes> {
    if (error != nullptr)
      *error = std::move(why);
    return std::nullopt;
  };
  shard_routes out;
  out.epoch = epoch;
  out.host_of.assign(shards, no_host);
  for (std::size_t n = 0; n < nodes.size(); ++n) {
    const auto& own = nodes[n];
    if (own.epoch != epoch)
      return fail("node " + std::to_string(n) + " routes by map " + std::to_string(own.epoch)
                  + ", not " + std::to_string(epoch));
    if (own.shards() != shards)
      return fail("node " + std::to_string(n) + " knows " + std::to_string(own.shards())
                  + " shards, not " + std::to_string(shards));
    for (std::uint32_t s = 0; s < shards; ++s) {
      const auto h = own.host_of[s];
      if (h == no_host)
        continue;
      if (h >= own.hosts)
        return fail("node " + std::to_string(n) + " puts shard " + std::to_string(s) + " on host "
                    + std::to_string(h) + " of " + std::to_string(own.hosts));
      if (out.host_of[s] != no_host)
        return fail("shard " + std::to_string(s) + " is hosted twice");
      out.host_of[s] = out.hosts + h;
    }
    out.hosts += own.hosts;
  }
  for (std::uint32_t s = 0; s < shards; ++s)
    if (out.host_of[s] == no_host)
      return fail("shard " + std::to_string(s) + " has no host");
  return out;
}

shard_routes local_routes(const aggregator_config& cfg, std::uint64_t epoch) {
  shard_routes r;
  r.epoch = epoch;
  r.hosts = aggregator_count(cfg);
  r.host_of.resize(cfg.shards);
  for (std::uint32_t s = 0; s < cfg.shards; ++s)
    r.host_of[s] = s % r.hosts;
  return r;
}

std::vector<std::uint32_t> shards_of_host(const shard_routes& routes, std::uint32_t host) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t s = 0; s < routes.shards(); ++s)
    if (routes.host_of[s] == host)
      out.push_back(s);
  return out;
}

}  // namespace txstream
