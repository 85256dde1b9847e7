// The supervisor of a node in a cluster (docs/cluster.md): runs the
// pipeline of each shard map the cluster adopts. For a map it waits until
// every live node has torn down older pipelines, then hosts the shards the
// map gives this node, tells its directory, asks every other aggregate
// node's directory for theirs, and (with the ingest role) consumes the
// input routing to all of them. A newer map, a lost lease or a lost peer
// rebuilds the pipeline from Kafka; only a failure of its own counts
// against the restart budget, and makes the node rejoin as a new
// incarnation so that the cluster rebuilds the state it held.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/node_directory_actor.hpp"
#include "actors/pipeline_context.hpp"
#include "config/node_config.hpp"
#include "messages/control_records.hpp"
#include "monitoring/cluster_probe.hpp"
#include "monitoring/health.hpp"
#include "nodes/cluster_manager.hpp"
#include "nodes/cluster_tls.hpp"
#include "nodes/pipeline_supervisor.hpp"
#include "nodes/restart_budget.hpp"

namespace txstream {

class cluster_supervisor {
public:
  cluster_supervisor(caf::actor_system& sys, const node_config& cfg, pipeline_context& ctx,
                     cluster_manager& manager, node_directory directory, cluster_tls tls,
                     bool until_drained, const std::atomic<bool>& stop,
                     monitoring::health_state& health, monitoring::cluster_probe& metrics);

  /// Runs pipelines until the cluster drained (with until_drained), a stop
  /// was asked for, or the restart budget is exhausted; leaves the cluster
  /// (a "left" heartbeat) before it returns.
  pipeline_outcome run();

  int restarts() const noexcept {
    return budget_.restarts();
  }

private:
  enum class map_end { map_changed, failed, rejoin, stopped, drained };

  std::optional<shard_map> await_map();
  map_end run_map(caf::scoped_actor& self, const shard_map& map);
  void report(std::uint64_t map_version, std::vector<std::uint32_t> shards, drain_stage drain,
              bool now);
  void update_metrics();
  /// Counts what map `version` handed this node (`mine`: its shards) and
  /// how long the node paused for it.
  void count_handover(std::uint64_t version, const std::vector<std::uint32_t>& mine);

  caf::actor_system& sys_;
  const node_config& cfg_;
  pipeline_context& ctx_;
  cluster_manager& manager_;
  node_directory directory_;
  cluster_tls tls_;
  bool until_drained_;
  const std::atomic<bool>& stop_;
  monitoring::health_state& health_;
  monitoring::cluster_probe& metrics_;
  restart_budget budget_;
  bool ingest_ = false;
  bool aggregate_ = false;

  std::mutex mutex_;  // guards partitions_ (written by the ingress)
  std::vector<std::int32_t> partitions_;
  node_activity activity_;  // as last reported
  /// The shards of the map this node ran last, and when its pipeline
  /// stopped, for the handover metrics.
  std::vector<std::uint32_t> last_shards_;
  std::optional<std::chrono::steady_clock::time_point> stopped_at_;
};

}  // namespace txstream
