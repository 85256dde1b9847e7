#include "actors/shard_placement.hpp"

#include <algorithm>
#include <numeric>

#include "messages/incarnation.hpp"

namespace txstream {

namespace {

// Sorted by id; one entry per id, the newest incarnation.
std::vector<map_node> normalized(std::vector<map_node> nodes) {
  std::stable_sort(nodes.begin(), nodes.end(), [](const map_node& a, const map_node& b) {
    if (a.id != b.id)
      return a.id < b.id;
    return compare_incarnations(a.incarnation, b.incarnation) > 0;
  });
  nodes.erase(std::unique(nodes.begin(), nodes.end(),
                          [](const map_node& a, const map_node& b) { return a.id == b.id; }),
              nodes.end());
  return nodes;
}

// Index in sorted `nodes` of the node with n's id and incarnation, or no_owner.
std::uint32_t index_of(const std::vector<map_node>& nodes, const map_node& n) {
  auto it = std::lower_bound(nodes.begin(), nodes.end(), n.id,
                             [](const map_node& x, const std::string& id) { return x.id < id; });
  if (it == nodes.end() || it->id != n.id || it->incarnation != n.incarnation)
    return no_owner;
  return static_cast<std::uint32_t>(it - nodes.begin());
}

bool same_owner(const map_node* a, const map_node* b) {
  if (a == nullptr || b == nullptr)
    return a == b;
  return a->id == b->id && a->incarnation == b->incarnation;
}

}  // namespace

shard_map place_shards(const shard_map& previous, const std::vector<map_node>& nodes,
                       std::uint32_t shards) {
  shard_map out;
  out.version = previous.version;
  out.leader = previous.leader;
  out.leader_epoch = previous.leader_epoch;
  out.made_ms = previous.made_ms;
  out.nodes = normalized(nodes);
  out.owner.assign(shards, no_owner);
  const auto n = static_cast<std::uint32_t>(out.nodes.size());
  if (n == 0)
    return out;
  // Where each previous node is now, if it is still the same incarnation.
  std::vector<std::uint32_t> now_at(previous.nodes.size());
  for (std::size_t i = 0; i < previous.nodes.size(); ++i)
    now_at[i] = index_of(out.nodes, previous.nodes[i]);
  // The shards each node still holds, ascending.
  std::vector<std::vector<std::uint32_t>> held(n);
  const auto known = std::min<std::uint32_t>(shards, previous.shards());
  for (std::uint32_t s = 0; s < known; ++s) {
    const auto o = previous.owner[s];
    if (o < now_at.size() && now_at[o] != no_owner)
      held[now_at[o]].push_back(s);
  }
  // The ceiling to the nodes holding the most: each of those keeps one
  // shard more than it would with the floor, the others gain nothing.
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return held[a].size() > held[b].size();
  });
  const auto base = shards / n;
  const auto extra = shards % n;
  std::vector<std::uint32_t> target(n, base);
  for (std::uint32_t k = 0; k < extra; ++k)
    ++target[order[k]];
  for (std::uint32_t i = 0; i < n; ++i) {
    if (held[i].size() > target[i])
      held[i].resize(target[i]);
    for (auto s : held[i])
      out.owner[s] = i;
  }
  for (std::uint32_t s = 0; s < shards; ++s) {
    if (out.owner[s] != no_owner)
      continue;
    std::uint32_t best = 0;
    std::uint32_t best_gap = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      const auto gap = target[i] - static_cast<std::uint32_t>(held[i].size());
      if (gap > best_gap) {
        best = i;
        best_gap = gap;
      }
    }
    // The targets sum to `shards`, so some node is below its target.
    out.owner[s] = best;
    held[best].push_back(s);
  }
  return out;
}

bool same_placement(const shard_map& a, const shard_map& b) {
  return a.nodes == b.nodes && a.owner == b.owner;
}

std::uint32_t moved_shards(const shard_map& before, const shard_map& after) {
  std::uint32_t moved = 0;
  for (std::uint32_t s = 0; s < after.shards(); ++s)
    if (!same_owner(before.owner_of(s), after.owner_of(s)))
      ++moved;
  return moved;
}

}  // namespace txstream
