// The records of the control topic (topics.control.name: compacted, one
// partition): each node's heartbeat and the leader's shard map, their
// Kafka keys and their JSON (docs/cluster.md, "Control topic records").
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace txstream {

/// The roles a node can have; a heartbeat may carry others (from a newer
/// node), which this code keeps and ignores.
inline constexpr std::string_view ingest_role = "ingest";
inline constexpr std::string_view aggregate_role = "aggregate";

/// "up" while the node runs; "left" is the last heartbeat of a graceful
/// stop, so others need not wait for the timeout.
enum class node_state { up, left };

/// How far a node is in draining its input (`node --until-drained`).
enum class drain_stage { none, at_end, flushed, committed };

/// Traffic on the link from the sending node to one peer.
struct link_stats {
  std::string peer;             // the peer's node id
  std::uint64_t in_flight = 0;  // batches sent and not yet acknowledged
  std::uint64_t sent = 0;       // batches sent on the link
  std::uint64_t bytes = 0;      // bytes sent on the link

  bool operator==(const link_stats& other) const;
  bool operator!=(const link_stats& other) const {
    return !(*this == other);
  }
};

/// What a node says about itself, every heartbeat interval.
struct node_heartbeat {
  std::string id;
  std::string incarnation;  // messages/incarnation.hpp
  std::string endpoint;     // "host:port" peers connect to
  std::vector<std::string> roles;
  std::int64_t started_ms = 0;  // wall clock of the sender, epoch ms
  std::int64_t sent_ms = 0;     // wall clock of the sender, epoch ms
  node_state state = node_state::up;
  bool leader = false;                   // holds leadership now
  std::uint64_t leader_epoch = 0;        // its epoch while leader, else 0
  std::uint64_t map_version = 0;         // the shard map version it routes by
  std::vector<std::uint32_t> shards;     // virtual shards it hosts
  std::vector<std::int32_t> partitions;  // input partitions it consumes
  std::string version;                   // build version
  drain_stage drain = drain_stage::none;
  std::vector<link_stats> links;

  bool has_role(std::string_view role) const;

  bool operator==(const node_heartbeat& other) const;
  bool operator!=(const node_heartbeat& other) const {
    return !(*this == other);
  }
};

/// An aggregate node as the shard map names it.
struct map_node {
  std::string id;
  std::string incarnation;
  std::string endpoint;

  bool operator==(const map_node& other) const;
  bool operator!=(const map_node& other) const {
    return !(*this == other);
  }
};

/// The owner of a shard that no node hosts (a map made with no aggregate
/// node); JSON `null`.
inline constexpr std::uint32_t no_owner = std::numeric_limits<std::uint32_t>::max();

/// Which aggregate node hosts each virtual shard, as the leader decided.
struct shard_map {
  std::uint64_t version = 0;
  std::string leader;  // node id of the leader that made it
  std::uint64_t leader_epoch = 0;
  std::int64_t made_ms = 0;          // the leader's wall clock, epoch ms
  std::vector<map_node> nodes;       // fixed order; `owner` indexes it
  std::vector<std::uint32_t> owner;  // by virtual shard: index into nodes, or no_owner

  std::uint32_t shards() const noexcept {
    return static_cast<std::uint32_t>(owner.size());
  }

  /// The node hosting `shard`, or nullptr (unowned, or no such shard).
  const map_node* owner_of(std::uint32_t shard) const noexcept;

  bool operator==(const shard_map& other) const;
  bool operator!=(const shard_map& other) const {
    return !(*this == other);
  }
};

std::string_view to_string(node_state s) noexcept;
std::string_view to_string(drain_stage d) noexcept;  // "" for none
std::optional<node_state> parse_node_state(std::string_view text) noexcept;
std::optional<drain_stage> parse_drain_stage(std::string_view text) noexcept;

/// One JSON object, camelCase keys in a fixed order, no whitespace
/// (docs/cluster.md has an example of each). Invalid UTF-8 in a string
/// becomes U+FFFD.
std::string encode(const node_heartbeat& hb);
std::string encode(const shard_map& map);

/// The record in `json`, or nullopt with the reason in `*error` (when
/// given): not JSON, not an object, a field missing, of the wrong type or
/// out of range, an unknown `state` or `drain`, an owner index beyond
/// `nodes`, two map nodes with one id. Unknown fields are ignored, so newer
/// nodes can add some. Never throws.
std::optional<node_heartbeat> decode_heartbeat(std::string_view json, std::string* error = nullptr);
std::optional<shard_map> decode_shard_map(std::string_view json, std::string* error = nullptr);

/// Kafka keys: "node/<id>" for a node's heartbeats (compaction keeps the
/// latest per node), "shardmap" for the map.
std::string heartbeat_key(std::string_view node_id);
std::string shard_map_key();

/// What a control-topic key names.
enum class control_key_kind { heartbeat, shard_map, unknown };

struct control_key {
  control_key_kind kind = control_key_kind::unknown;
  std::string node_id;  // of a heartbeat key
};

/// "node/<id>" with a non-empty id, "shardmap", or anything else (unknown:
/// keys a newer node may add).
control_key classify_control_key(std::string_view key);

}  // namespace txstream
