#include "nodes/pipeline_supervisor.hpp"

#include <chrono>
#include <deque>
#include <thread>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/shard_router.hpp"
#include "nodes/pipeline_parts.hpp"

namespace txstream {

namespace {

using clock = std::chrono::steady_clock;

/// Every virtual shard on this node, on aggregation.shard_actors hosts.
pipeline_actors spawn_pipeline(caf::actor_system& sys, const node_config& cfg,
                               const pipeline_context& ctx, bool until_drained,
                               const std::atomic<bool>& stop) {
  pipeline_actors p;
  // Totals already written are the ground to stand on after a restart.
  const auto totals = read_running_totals(cfg, ctx);
  const auto routes = local_routes(ctx.aggregation);
  spawn_sinks(sys, cfg, ctx, p);
  spawn_hosts(sys, ctx, routes, totals, p);
  spawn_ingress(sys, cfg, ctx, until_drained, stop, routes, p.hosts, p);
  return p;
}

} // namespace

pipeline_supervisor::pipeline_supervisor(caf::actor_system& sys,
                                         const node_config& cfg,
                                         pipeline_context& ctx,
                                         bool until_drained,
                                         const std::atomic<bool>& stop,
                                         monitoring::health_state& health)
  : sys_(sys),
    cfg_(cfg),
    ctx_(ctx),
    until_drained_(until_drained),
    stop_(stop),
    health_(health) {
}

pipeline_outcome pipeline_supervisor::run() {
  caf::scoped_actor self{sys_};
  std::deque<clock::time_point> recent_restarts;
  auto backoff = std::chrono::milliseconds(cfg_.supervision.backoff_initial_ms);
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
                              : caf::make_error(caf::sec::runtime_error,
                                                "pipeline actor ended");
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
    // Restart budget: too many failures in the window means something is
    // wrong that a restart will not fix; exit and let the operator see it.
    auto now = clock::now();
    recent_restarts.push_back(now);
    while (!recent_restarts.empty()
           && now - recent_restarts.front()
                > std::chrono::milliseconds(cfg_.supervision.restart_window_ms))
      recent_restarts.pop_front();
    if (static_cast<int>(recent_restarts.size()) > cfg_.supervision.max_restarts) {
      spdlog::critical("supervisor: {} restarts within {} ms, giving up",
                       recent_restarts.size(), cfg_.supervision.restart_window_ms);
      return pipeline_outcome::escalated;
    }
    ++restarts_;
    ctx_.crash_shard_after_batches = -1;  // an injected failure happens once
    if (ctx_.actor_metrics != nullptr)
      ctx_.actor_metrics->restarted("pipeline");
    spdlog::warn("supervisor: restarting the pipeline in {} ms (restart {})",
                 backoff.count(), restarts_);
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2,
                       std::chrono::milliseconds(cfg_.supervision.backoff_max_ms));
  }
}

} // namespace txstream
