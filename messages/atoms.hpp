// Atoms of txstream's actor protocols (CAF 0.17: at most 10 characters).
#pragma once

#include <caf/atom.hpp>

namespace txstream {

/// Sink -> requester: every record of an output_batch is delivered.
using delivered_atom = caf::atom_constant<caf::atom("delivered")>;
/// Periodic self-message: serve librdkafka callbacks / idle detection.
using poll_atom = caf::atom_constant<caf::atom("poll")>;
/// Close every open window now (end of input).
using flush_atom = caf::atom_constant<caf::atom("flushall")>;
/// Partition-consumer -> ingress: commit this offset (with metadata).
using commit_atom = caf::atom_constant<caf::atom("commit")>;
/// Test hook: make an actor fail as if it had a bug.
using crash_atom = caf::atom_constant<caf::atom("crash")>;
/// Register an upstream partition consumer with a shard / detector.
using upstream_atom = caf::atom_constant<caf::atom("upstream")>;
/// Ingress -> partition-consumer: the partition became idle (or busy again).
using idle_atom = caf::atom_constant<caf::atom("idle")>;
/// Ingress -> partition-consumer: the input ended (--until-drained).
using end_atom = caf::atom_constant<caf::atom("end")>;
/// A node's directory: the shard hosts of its pipeline at one shard-map
/// version (asked by peers, set by the node's supervisor).
using hosts_atom = caf::atom_constant<caf::atom("hosts")>;

}  // namespace txstream
