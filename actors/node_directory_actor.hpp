// A node's directory: the one actor a node publishes on its cluster listener.
// Peers ask it for the node's shard hosts at a shard-map version, which is
// how they learn where to route (docs/cluster.md, "Links").
#pragma once

#include <cstdint>
#include <vector>

#include <caf/actor.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/shard_router.hpp"
#include "messages/atoms.hpp"

namespace txstream {

/// The directory's interface; peers hold it typed, so a mismatch between
/// two builds' protocols fails when they connect rather than mid-stream.
using node_directory = caf::typed_actor<
  // A peer: this node's hosts at shard-map `version`, as its own routes
  // (host_of: an index into the hosts, or no_host for another node's
  // shard). An error until this node runs a pipeline of that version.
  caf::replies_to<hosts_atom, std::uint64_t>::with<shard_routes, std::vector<caf::actor>>,
  // The node's supervisor: the pipeline of `version` runs with these hosts
  // (version 0: none runs).
  caf::reacts_to<hosts_atom, std::uint64_t, shard_routes, std::vector<caf::actor>>>;

struct node_directory_state {
  std::uint64_t version = 0;
  shard_routes routes;
  std::vector<caf::actor> hosts;
  static inline const char* name = "node_directory";
};

node_directory::behavior_type
node_directory_actor(node_directory::stateful_pointer<node_directory_state> self);

}  // namespace txstream
