#include "nodes/pipeline_supervisor.hpp"

#include <chrono>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/shard_router.hpp"
#include "nodes/pipeline_parts.hpp"
#include "nodes/restart_budget.hpp"

namespace txstream {

namespace {

/// Every virtual shard on this node, on aggregation.shard_actors hosts.
pipeline_actors spawn_pipeline(caf::actor_system& sys, const node_config& cfg,
                               const pipeline_context& ctx, bool until_drained,
                               const std::atomic<bool>& stop) {
  pipeline_actors p;
  // Totals already written are the ground to stand on after a restart.
  const auto totals = read_running_totals(cfg, ctx);
  const auto routes = local_routes(ctx.aggregation);
  const auto partitions = input_partition_count(cfg, ctx);
  spawn_sinks(sys, cfg, ctx, p);
  spawn_hosts(sys, ctx, routes, totals, partitions, p);
  // Alone, the node must read every partition before it has drained.
  spawn_ingress(sys, cfg, ctx, until_drained, static_cast<std::size_t>(partitions), stop, routes,
                p.hosts, p);
  return p;
}

}  // namespace

pipeline_supervisor::pipeline_supervisor(caf::actor_system& sys, const node_config& cfg,
                                         pipeline_context& ctx, bool until_drained,
                                         const std::atomic<bool>& stop,
                                         monitoring::health_state& health)
  : sys_(sys),
    cfg_(cfg),
    ctx_(ctx),
    until_drained_(until_drained),
    stop_(stop),
    health_(health),
    budget_(cfg.supervision) {
}

pipeline_outcome pipeline_supervisor::run() {
  caf::scoped_actor self{sys_};
  for (;;) {
    pipeline_actors p;
    try {
      p = spawn_pipeline(sys_, cfg_, ctx_, until_drained_, stop_);
    } catch (const std::exception& e) {
      spdlog::error("supervisor: cannot start the pipeline: {}", e.what());
    }
    caf::error failure;
    std::size_t down = 0;
    if (p.ingress) {
      for (const auto& a : p.all())
        self->monitor(a);
      health_.set_ready(true);
      // Block until the first actor ends: the ingress itself notices stop
      // requests and ends normally. (A receive with an `after` timeout in a
      // loop here kept the main thread at 100 % CPU.)
      self->receive([&](caf::down_msg& dm) {
        ++down;
        if (dm.source != p.ingress || dm.reason)
          failure = dm.reason ? dm.reason
                              : caf::make_error(caf::sec::runtime_error, "pipeline actor ended");
      });
      health_.set_ready(false, failure ? "restarting after a failure" : "stopping");
      tear_down(self, p, down);
      if (!failure)
        return stop_.load() ? pipeline_outcome::stopped : pipeline_outcome::drained;
      spdlog::error("supervisor: pipeline failed: {}", sys_.render(failure));
    } else {
      failure = caf::make_error(caf::sec::runtime_error, "start-up failed");
    }
    if (stop_.load())
      return pipeline_outcome::stopped;
    if (!budget_.restart(ctx_))
      return pipeline_outcome::escalated;
  }
}

}  // namespace txstream
