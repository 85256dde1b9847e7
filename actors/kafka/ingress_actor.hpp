// The node's Kafka ingress: one group consumer on its own thread (a detached
// blocking actor) that feeds partition-consumers and commits their offsets.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/kafka/client_config.hpp"
#include "actors/pipeline_context.hpp"
#include "actors/shard_router.hpp"

namespace txstream::kafka {

struct ingress_config {
  settings consumer;  // bootstrap.servers, group.id, session.timeout.ms, ...
  /// bootstrap.servers and the [kafka.client] properties: a client of its
  /// own asks the broker for log ends, on a connection that the consumer's
  /// long-polling fetches do not hold up.
  settings client;
  /// Exit once every assigned partition is consumed to its end, idle for
  /// `drain_idle_ms`, all windows flushed and every offset committed.
  bool until_drained = false;
  std::int64_t drain_idle_ms = 2000;
  /// The input's partition count when this node alone reads it (a node on
  /// its own); 0 in a cluster. See ingress_limits.
  std::size_t whole_input_partitions = 0;
  std::int64_t commit_interval_ms = 1000;
  /// Set by the node on SIGTERM/SIGINT: stop reading, commit, leave.
  const std::atomic<bool>* stop = nullptr;
};

/// Spawn detached. `hosts` are the merchant-aggregator hosts as `routes`
/// numbers them, `sink` the Kafka sink for aggregates and dead letters,
/// `alert_sink` the one for anomalies (its own producer, so window bursts
/// never delay an alert). Ends normally when drained or stopped; ends with
/// an error when a partition-consumer (or its detector) fails.
void ingress_actor(caf::blocking_actor* self, ingress_config cfg, shard_routes routes,
                   std::vector<caf::actor> hosts, caf::actor sink, caf::actor alert_sink,
                   const pipeline_context* ctx);

}  // namespace txstream::kafka
