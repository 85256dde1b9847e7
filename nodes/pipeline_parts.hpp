// The pieces of a node's pipeline, spawned and torn down by a supervisor:
// the Kafka sinks, the merchant-aggregator hosts of the shards the node
// owns, and the ingress with its routes (nodes/pipeline_supervisor for one
// node, nodes/cluster_supervisor for a node of a cluster).
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/kafka/client_config.hpp"
#include "actors/pipeline_context.hpp"
#include "actors/shard_router.hpp"
#include "config/node_config.hpp"
#include "messages/window_aggregate.hpp"

namespace txstream {

/// The actors of one incarnation of a node's pipeline.
struct pipeline_actors {
  caf::actor sink;
  caf::actor alert_sink;
  std::vector<caf::actor> hosts;  // this node's
  caf::actor ingress;             // none on a node without the ingest role

  std::vector<caf::actor> all() const;
};

/// Settings of a client: bootstrap servers, `own`, then [kafka.client].
kafka::settings client_settings(const node_config& cfg, kafka::settings own = {});

/// The latest running total of every merchant x currency in the aggregates
/// topic (what restarting hosts restore).
std::vector<running_total> read_running_totals(const node_config& cfg, const pipeline_context& ctx);

/// How many partitions the input topic has now (every one of them holds
/// the hosts' windows until its consumer reports).
std::int32_t input_partition_count(const node_config& cfg, const pipeline_context& ctx);

/// Whether the node's consumer group committed every partition of the input
/// at its log end: every output of every record is in Kafka, wherever the
/// shards were. False when the broker cannot tell.
bool input_committed_to_end(const node_config& cfg, const pipeline_context& ctx);

/// Spawns the sink of aggregates and dead letters and the alert sink.
void spawn_sinks(caf::actor_system& sys, const node_config& cfg, const pipeline_context& ctx,
                 pipeline_actors& p);

/// Spawns the hosts of `own` (this node's routes: host_of an index into
/// its hosts, or no_host), each restoring its shards from `totals` (those
/// of other shards are ignored) and waiting for every one of the input's
/// `input_partitions`.
void spawn_hosts(caf::actor_system& sys, const pipeline_context& ctx, const shard_routes& own,
                 const std::vector<running_total>& totals, std::int32_t input_partitions,
                 pipeline_actors& p);

/// Spawns the ingress, routing by `routes` to `hosts` (the cluster's).
/// `whole_input_partitions`: a node on its own must read all of the
/// input's partitions before it has drained (0 in a cluster).
void spawn_ingress(caf::actor_system& sys, const node_config& cfg, const pipeline_context& ctx,
                   bool until_drained, std::size_t whole_input_partitions,
                   const std::atomic<bool>& stop, const shard_routes& routes,
                   const std::vector<caf::actor>& hosts, pipeline_actors& p);

/// Stops every actor of `p` and waits until all are gone (at most 10 s);
/// `already_down` of them are known to be gone. `self` monitors them all.
void tear_down(caf::scoped_actor& self, const pipeline_actors& p, std::size_t already_down);

}  // namespace txstream
