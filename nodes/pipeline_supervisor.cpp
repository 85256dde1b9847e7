#include "nodes/pipeline_supervisor.hpp"

#include <chrono>
#include <deque>
#include <thread>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/kafka/ingress_actor.hpp"
#include "actors/kafka/sink_actor.hpp"
#include "actors/kafka/totals_restore.hpp"
#include "actors/merchant_aggregator_actor.hpp"
#include "actors/shard_router.hpp"
#include "config/memory_budget.hpp"
#include "messages/inspect.hpp"

namespace txstream {

namespace {

using clock = std::chrono::steady_clock;

/// The actors of one incarnation of the pipeline.
struct pipeline_actors {
  caf::actor sink;
  caf::actor alert_sink;
  std::vector<caf::actor> shards;
  caf::actor ingress;

  std::vector<caf::actor> all() const {
    std::vector<caf::actor> xs{sink, alert_sink, ingress};
    xs.insert(xs.end(), shards.begin(), shards.end());
    return xs;
  }
};

pipeline_actors spawn_pipeline(caf::actor_system& sys, const node_config& cfg,
                               const pipeline_context& ctx, bool until_drained,
                               const std::atomic<bool>& stop) {
  pipeline_actors p;
  // Every client: the bootstrap servers, its own settings, then the
  // [kafka.client] properties.
  const auto client = kafka::client_properties(cfg.kafka.client);
  auto settings_with = [&](kafka::settings own) {
    own.emplace(own.begin(), "bootstrap.servers", cfg.kafka.bootstrap);
    own.insert(own.end(), client.begin(), client.end());
    return own;
  };
  // Totals already written are the ground to stand on after a restart.
  auto restored = kafka::restore_running_totals(cfg.kafka.bootstrap,
                                                ctx.topics.aggregates.name, client);
  // Every virtual shard here, on aggregation.shard_actors hosts; each
  // shard restores from the totals of its own merchants.
  const auto routes = local_routes(ctx.aggregation);
  std::vector<std::vector<hosted_shard>> per_host(routes.hosts);
  std::vector<hosted_shard*> by_shard(routes.shards());
  for (std::uint32_t s = 0; s < routes.shards(); ++s) {
    auto& h = per_host[routes.host_of[s]].emplace_back();
    h.shard = s;
  }
  for (auto& shards : per_host)
    for (auto& h : shards)
      by_shard[h.shard] = &h;
  for (auto& t : restored)
    by_shard[shard_of(t.merchant_id, routes.shards())]->totals.push_back(std::move(t));
  spdlog::info("supervisor: restored {} running totals", restored.size());
  // The producers' queues get half of the budget's output share (the
  // other half is output not yet handed to them); anomalies are few.
  const auto plan = plan_memory(cfg);
  auto queue_kbytes = [&](std::size_t divisor) -> kafka::settings {
    if (plan.output == 0)
      return {};
    return {{"queue.buffering.max.kbytes",
             std::to_string(std::max<std::size_t>(1024, plan.output / divisor / 1024))}};
  };
  p.sink = sys.spawn<caf::detached>(kafka::sink_actor, settings_with(queue_kbytes(2)),
                     std::vector<std::string>{ctx.topics.aggregates.name,
                                              ctx.topics.deadletter.name},
                     &ctx);
  auto alert_settings = queue_kbytes(16);
  alert_settings.emplace_back("linger.ms", "0");
  p.alert_sink = sys.spawn<caf::detached>(kafka::sink_actor, settings_with(alert_settings),
                                          std::vector<std::string>{ctx.topics.anomalies.name},
                                          &ctx);
  for (std::uint32_t h = 0; h < routes.hosts; ++h)
    p.shards.push_back(sys.spawn(merchant_aggregator_actor, h, p.sink, &ctx,
                                 std::move(per_host[h]), routes.epoch));
  kafka::ingress_config in;
  in.consumer = settings_with(
    {{"group.id", cfg.kafka.group_id},
     {"session.timeout.ms", std::to_string(cfg.kafka.session_timeout_ms)},
     // The byte bound governs (docs/configuration.md, prefetch_kbytes).
     {"queued.min.messages", "10000000"},
     {"queued.max.messages.kbytes", std::to_string(plan.prefetch / 1024)}});
  in.client = settings_with({});
  in.until_drained = until_drained;
  in.drain_idle_ms = std::min<std::int64_t>(cfg.aggregation.idle_partition_timeout_ms, 2000);
  in.commit_interval_ms = cfg.pipeline.commit_interval_ms;
  in.stop = &stop;
  p.ingress = sys.spawn<caf::detached>(kafka::ingress_actor, in, routes, p.shards,
                                       p.sink, p.alert_sink, &ctx);
  return p;
}

/// Stops every actor of `p` and waits until all are gone.
void tear_down(caf::scoped_actor& self, const pipeline_actors& p,
               std::size_t already_down) {
  auto all = p.all();
  for (const auto& a : all)
    self->send_exit(a, caf::exit_reason::user_shutdown);
  std::size_t down = already_down;
  self->receive_while([&] { return down < all.size(); })(
    [&](caf::down_msg&) { ++down; },
    caf::after(std::chrono::seconds(10)) >> [&] { down = all.size(); });
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
