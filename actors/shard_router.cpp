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

std::uint32_t aggregator_of(std::string_view merchant_id, std::uint32_t shards,
                            std::uint32_t actors) noexcept {
  assert(actors > 0);
  return shard_of(merchant_id, shards) % actors;
}

std::uint32_t aggregator_of(std::string_view merchant_id,
                            const aggregator_config& cfg) noexcept {
  return aggregator_of(merchant_id, cfg.shards, aggregator_count(cfg));
}

void split_indices(const std::vector<transaction>& txns, std::uint32_t shards,
                   std::vector<std::vector<std::uint32_t>>& out) {
  assert(txns.size() <= UINT32_MAX);
  out.resize(shards);
  for (auto& v : out)
    v.clear();
  for (std::uint32_t i = 0; i < txns.size(); ++i)
    out[shard_of(txns[i].merchant_id, shards)].push_back(i);
}

std::vector<std::vector<transaction>>
split_by_shard(std::vector<transaction>&& txns, std::uint32_t shards) {
  // Two passes: hash once into `owner`, size every output exactly, then move.
  std::vector<std::uint32_t> owner(txns.size());
  std::vector<std::size_t> sizes(shards, 0);
  for (std::size_t i = 0; i < txns.size(); ++i) {
    owner[i] = shard_of(txns[i].merchant_id, shards);
    ++sizes[owner[i]];
  }
  std::vector<std::vector<transaction>> out(shards);
  for (std::uint32_t s = 0; s < shards; ++s)
    out[s].reserve(sizes[s]);
  for (std::size_t i = 0; i < txns.size(); ++i)
    out[owner[i]].push_back(std::move(txns[i]));
  txns.clear();
  return out;
}

} // namespace txstream
