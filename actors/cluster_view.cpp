#include "actors/cluster_view.hpp"

#include <algorithm>

#include "actors/shard_placement.hpp"

namespace txstream {

cluster_view::cluster_view(cluster_view_config cfg)
  : cfg_(std::move(cfg)), members_(cfg_.node_timeout_ms) {
}

membership_state::heartbeat_outcome cluster_view::on_heartbeat(const node_heartbeat& hb,
                                                               std::int64_t received_ms) {
  auto outcome = members_.on_heartbeat(hb, received_ms);
  if (outcome != membership_state::heartbeat_outcome::ignored && hb.leader)
    newest_leader_epoch_ = std::max(newest_leader_epoch_, hb.leader_epoch);
  return outcome;
}

bool cluster_view::on_map(const shard_map& map) {
  // Only what is in the log decides (never this node's own leadership), so
  // every node adopts the same maps.
  if (map.version <= adopted_version() || map.leader_epoch < newest_leader_epoch_)
    return false;
  newest_leader_epoch_ = map.leader_epoch;
  adopted_ = map;
  return true;
}

void cluster_view::set_leader(bool leading) {
  if (leading && !leader_)
    leader_epoch_ = newest_leader_epoch_ + 1;
  leader_ = leading;
  published_version_.reset();
}

std::optional<shard_map> cluster_view::map_to_publish(std::int64_t now_ms) {
  auto nodes = members_.aggregate_nodes(now_ms);
  if (nodes != last_nodes_) {
    last_nodes_ = nodes;
    nodes_since_ms_ = now_ms;
  }
  if (!leader_ || drained(now_ms) || now_ms - nodes_since_ms_ < cfg_.settle_ms)
    return std::nullopt;
  if (published_version_ && *published_version_ > adopted_version()
      && now_ms - published_ms_ < cfg_.republish_ms)
    return std::nullopt;  // ours is on its way through the log
  if (!adopted_ && nodes.empty())
    return std::nullopt;
  auto next = place_shards(adopted_ ? *adopted_ : shard_map{}, nodes, cfg_.shards);
  if (adopted_ && same_placement(next, *adopted_) && adopted_->shards() == cfg_.shards)
    return std::nullopt;
  next.version = adopted_version() + 1;
  next.leader = cfg_.node_id;
  next.leader_epoch = leader_epoch_;
  next.made_ms = now_ms;
  published_version_ = next.version;
  published_ms_ = now_ms;
  return next;
}

bool cluster_view::barrier_passed(std::uint64_t version, std::int64_t now_ms) const {
  const auto live = members_.live(now_ms);
  return std::all_of(live.begin(), live.end(),
                     [&](const node_heartbeat& hb) { return hb.map_version >= version; });
}

bool cluster_view::drained(std::int64_t now_ms) const {
  bool any = false;
  for (const auto& hb : members_.live(now_ms)) {
    if (!hb.has_role(ingest_role))
      continue;
    if (hb.drain != drain_stage::committed)
      return false;
    any = true;
  }
  return any;
}

}  // namespace txstream
