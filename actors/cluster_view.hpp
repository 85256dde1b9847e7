// What one node knows of the cluster and decides from it: the members, the
// shard map it routes by, whether it leads and what it would publish, when
// a new map may start and when the cluster's input is drained
// (docs/cluster.md). Plain C++, no CAF or Kafka: the cluster manager feeds
// it the control topic's records in log order and every time it uses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/membership_state.hpp"
#include "messages/control_records.hpp"

namespace txstream {

struct cluster_view_config {
  std::string node_id;
  std::uint32_t shards = 64;
  std::int64_t node_timeout_ms = 6000;
  /// The leader publishes a map only once the aggregate nodes stayed the
  /// same this long, so nodes starting together make one map, not one each.
  std::int64_t settle_ms = 2000;
  /// A published map that has not come back from the log by then is
  /// published again.
  std::int64_t republish_ms = 5000;
};

class cluster_view {
public:
  explicit cluster_view(cluster_view_config cfg);

  /// A heartbeat read from the control topic at `received_ms` (this node's
  /// clock). A leader's heartbeat raises the newest leader epoch seen.
  membership_state::heartbeat_outcome on_heartbeat(const node_heartbeat& hb,
                                                   std::int64_t received_ms);

  /// A shard map read from the control topic. Adopted (true) when it is
  /// newer than the adopted one (version) and its leader's epoch is not
  /// older than the newest seen: a deposed leader's late decisions are
  /// ignored. All nodes read one log in one order, so they adopt the same.
  bool on_map(const shard_map& map);

  /// The Kafka group of the control topic gave (true) or took this node
  /// the control partition. Gaining it starts a new leader epoch, above
  /// every epoch seen so far.
  void set_leader(bool leading);
  bool leader() const noexcept {
    return leader_;
  }
  std::uint64_t leader_epoch() const noexcept {
    return leader_ ? leader_epoch_ : 0;
  }
  std::uint64_t newest_leader_epoch() const noexcept {
    return newest_leader_epoch_;
  }

  /// As leader: the map to publish now, if the live aggregate nodes differ
  /// from the adopted map's (or there is none yet), they have been stable
  /// for settle_ms and no map of ours is on its way. Not while the cluster
  /// is drained: nodes leaving at the end move no shards.
  std::optional<shard_map> map_to_publish(std::int64_t now_ms);

  /// Whether every live node reports routing by `version` or a newer map
  /// (it tore down everything older): the pipelines of `version` may start
  /// and new owners may restore their shards.
  bool barrier_passed(std::uint64_t version, std::int64_t now_ms) const;

  /// Some node reads input and every live one that does reports its
  /// partitions drained and committed (node --until-drained).
  bool drained(std::int64_t now_ms) const;

  const std::optional<shard_map>& adopted() const noexcept {
    return adopted_;
  }
  std::uint64_t adopted_version() const noexcept {
    return adopted_ ? adopted_->version : 0;
  }

  membership_state& members() noexcept {
    return members_;
  }
  const membership_state& members() const noexcept {
    return members_;
  }

private:
  cluster_view_config cfg_;
  membership_state members_;
  std::optional<shard_map> adopted_;
  bool leader_ = false;
  std::uint64_t leader_epoch_ = 0;
  std::uint64_t newest_leader_epoch_ = 0;
  std::vector<map_node> last_nodes_;  // aggregate nodes at the last look
  std::int64_t nodes_since_ms_ = 0;   // since when they are the same
  std::optional<std::uint64_t> published_version_;
  std::int64_t published_ms_ = 0;
};

}  // namespace txstream
