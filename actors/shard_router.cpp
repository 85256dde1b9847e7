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

std::uint32_t shard_of(std::string_view merchant_id,
                       std::uint32_t shards) noexcept {
  assert(shards > 0);
  return static_cast<std::uint32_t>(fnv1a_64(merchant_id) % shards);
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

} // namespace txstream
