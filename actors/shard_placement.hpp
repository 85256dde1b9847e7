// Which aggregate node hosts each virtual shard: the leader's placement
// (docs/cluster.md, "Shard placement"). Plain C++, no CAF or Kafka.
#pragma once

#include <cstdint>
#include <vector>

#include "messages/control_records.hpp"

namespace txstream {

/// The owners of `shards` virtual shards on `nodes` (the live aggregate
/// nodes, in any order), starting from `previous`:
///
/// - nodes: sorted by id (byte-wise); of two entries with one id the newer
///   incarnation (compare_incarnations) is kept.
/// - balanced: with n nodes every node owns floor(shards / n) or
///   ceil(shards / n) shards; exactly shards mod n nodes own the ceiling.
/// - sticky: a shard stays with its previous owner when that node, with the
///   same id and incarnation, is still in `nodes`, up to the node's target.
///   The ceiling goes to the nodes that hold the most (ties: by id), so the
///   fewest shards move: the result maximises the shards kept, and only
///   shards of departed nodes, shards over a node's target and shards new
///   to the map (`shards` grew) change owner.
/// - released shards are a node's highest-numbered ones; shards without an
///   owner go, in ascending order, to the node furthest below its target
///   (ties: by id).
/// - deterministic: the result depends on the inputs only (no hashing, no
///   unordered iteration), the same on every platform.
///
/// With no nodes every owner is `no_owner` and `nodes` is empty. Version,
/// leader, leader epoch and time are copied from `previous`: they are the
/// caller's to set.
shard_map place_shards(const shard_map& previous, const std::vector<map_node>& nodes,
                       std::uint32_t shards);

/// Whether two maps put every shard on the same node (id, incarnation and
/// endpoint): the leader publishes a new map only when they do not.
/// Version, leader and time are not compared.
bool same_placement(const shard_map& a, const shard_map& b);

/// How many shards of `after` have another owner (node id and incarnation)
/// than in `before`; a shard owned on one side only (or missing from
/// `before`) counts, one unowned on both does not.
std::uint32_t moved_shards(const shard_map& before, const shard_map& after);

}  // namespace txstream
