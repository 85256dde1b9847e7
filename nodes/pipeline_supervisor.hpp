// The supervisor of one node's pipeline: spawns sink, aggregator shards and
// ingress; on any failure tears the pipeline down and restarts it from the
// committed offsets with exponential backoff, within a restart budget.
#pragma once

#include <atomic>
#include <cstdint>

#include <caf/fwd.hpp>

#include "actors/pipeline_context.hpp"
#include "config/node_config.hpp"
#include "monitoring/health.hpp"
#include "nodes/restart_budget.hpp"

namespace txstream {

/// How a supervised run ended.
enum class pipeline_outcome {
  drained,    // --until-drained: all input processed and committed
  stopped,    // SIGTERM/SIGINT
  escalated,  // restart budget exhausted
};

class pipeline_supervisor {
public:
  pipeline_supervisor(caf::actor_system& sys, const node_config& cfg, pipeline_context& ctx,
                      bool until_drained, const std::atomic<bool>& stop,
                      monitoring::health_state& health);

  /// Runs (and re-runs after failures) until drained, stopped or escalated.
  pipeline_outcome run();

  /// Restarts so far.
  int restarts() const noexcept {
    return budget_.restarts();
  }

private:
  caf::actor_system& sys_;
  const node_config& cfg_;
  pipeline_context& ctx_;
  bool until_drained_;
  const std::atomic<bool>& stop_;
  monitoring::health_state& health_;
  restart_budget budget_;
};

}  // namespace txstream
