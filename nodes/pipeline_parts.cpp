#include "nodes/pipeline_parts.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/kafka/ingress_actor.hpp"
#include "actors/kafka/sink_actor.hpp"
#include "actors/kafka/topic_admin.hpp"
#include "actors/kafka/totals_restore.hpp"
#include "actors/merchant_aggregator_actor.hpp"
#include "config/memory_budget.hpp"
#include "messages/inspect.hpp"

namespace txstream {

std::vector<caf::actor> pipeline_actors::all() const {
  std::vector<caf::actor> xs;
  for (const auto& a : {sink, alert_sink, ingress})
    if (a)
      xs.push_back(a);
  xs.insert(xs.end(), hosts.begin(), hosts.end());
  return xs;
}

kafka::settings client_settings(const node_config& cfg, kafka::settings own) {
  own.emplace(own.begin(), "bootstrap.servers", cfg.kafka.bootstrap);
  const auto client = kafka::client_properties(cfg.kafka.client);
  own.insert(own.end(), client.begin(), client.end());
  return own;
}

std::vector<running_total> read_running_totals(const node_config& cfg,
                                               const pipeline_context& ctx) {
  return kafka::restore_running_totals(cfg.kafka.bootstrap, ctx.topics.aggregates.name,
                                       kafka::client_properties(cfg.kafka.client));
}

std::int32_t input_partition_count(const node_config& cfg, const pipeline_context& ctx) {
  kafka::topic_admin admin{cfg.kafka.bootstrap, kafka::topic_admin::default_timeout_ms,
                           kafka::client_properties(cfg.kafka.client)};
  const auto described = admin.describe({ctx.topics.transactions});
  if (described.empty() || !described.front().exists)
    throw std::runtime_error("the input topic " + ctx.topics.transactions.name
                             + " does not exist (txstream topics create)");
  return described.front().partitions;
}

bool input_committed_to_end(const node_config& cfg, const pipeline_context& ctx) {
  try {
    kafka::topic_admin admin{cfg.kafka.bootstrap, 5000, kafka::client_properties(cfg.kafka.client)};
    const auto positions = admin.group_positions(cfg.kafka.group_id, ctx.topics.transactions.name);
    return !positions.empty() && std::all_of(positions.begin(), positions.end(), [](const auto& p) {
      return p.high <= p.low || p.committed >= p.high;
    });
  } catch (const std::exception& e) {
    spdlog::debug("cannot read the input's committed offsets: {}", e.what());
    return false;
  }
}

void spawn_sinks(caf::actor_system& sys, const node_config& cfg, const pipeline_context& ctx,
                 pipeline_actors& p) {
  // The producers' queues get half of the budget's output share (the
  // other half is output not yet handed to them); anomalies are few.
  const auto plan = plan_memory(cfg);
  auto queue_kbytes = [&](std::size_t divisor) -> kafka::settings {
    if (plan.output == 0)
      return {};
    return {{"queue.buffering.max.kbytes",
             std::to_string(std::max<std::size_t>(1024, plan.output / divisor / 1024))}};
  };
  p.sink = sys.spawn<caf::detached>(
    kafka::sink_actor, client_settings(cfg, queue_kbytes(2)),
    std::vector<std::string>{ctx.topics.aggregates.name, ctx.topics.deadletter.name}, &ctx);
  auto alert_settings = queue_kbytes(16);
  alert_settings.emplace_back("linger.ms", "0");
  p.alert_sink = sys.spawn<caf::detached>(kafka::sink_actor, client_settings(cfg, alert_settings),
                                          std::vector<std::string>{ctx.topics.anomalies.name},
                                          &ctx);
}

void spawn_hosts(caf::actor_system& sys, const pipeline_context& ctx, const shard_routes& own,
                 const std::vector<running_total>& totals, std::int32_t input_partitions,
                 pipeline_actors& p) {
  if (ctx.memory_metrics != nullptr)
    ctx.memory_metrics->forget_windows();
  std::vector<std::vector<hosted_shard>> per_host(own.hosts);
  std::vector<hosted_shard*> by_shard(own.shards(), nullptr);
  for (std::uint32_t s = 0; s < own.shards(); ++s)
    if (own.host_of[s] != no_host)
      per_host[own.host_of[s]].emplace_back().shard = s;
  for (auto& shards : per_host)
    for (auto& h : shards)
      by_shard[h.shard] = &h;
  std::size_t restored = 0;
  for (const auto& t : totals)
    if (auto* h = by_shard[shard_of(t.merchant_id, own.shards())]) {
      h->totals.push_back(t);
      ++restored;
    }
  spdlog::info("supervisor: {} hosts restored {} running totals", own.hosts, restored);
  for (std::uint32_t h = 0; h < own.hosts; ++h)
    p.hosts.push_back(sys.spawn(merchant_aggregator_actor, h, p.sink, &ctx, std::move(per_host[h]),
                                own.epoch, input_partitions));
}

void spawn_ingress(caf::actor_system& sys, const node_config& cfg, const pipeline_context& ctx,
                   bool until_drained, std::size_t whole_input_partitions,
                   const std::atomic<bool>& stop, const shard_routes& routes,
                   const std::vector<caf::actor>& hosts, pipeline_actors& p) {
  const auto plan = plan_memory(cfg);
  kafka::ingress_config in;
  in.consumer = client_settings(
    cfg, {{"group.id", cfg.kafka.group_id},
          {"session.timeout.ms", std::to_string(cfg.kafka.session_timeout_ms)},
          {"heartbeat.interval.ms", std::to_string(group_heartbeat_interval_ms(cfg.kafka))},
          // The byte bound governs (docs/configuration.md, prefetch_kbytes).
          {"queued.min.messages", "10000000"},
          {"queued.max.messages.kbytes", std::to_string(plan.prefetch / 1024)}});
  in.client = client_settings(cfg);
  in.until_drained = until_drained;
  in.whole_input_partitions = whole_input_partitions;
  in.drain_idle_ms = std::min<std::int64_t>(cfg.aggregation.idle_partition_timeout_ms, 2000);
  in.commit_interval_ms = cfg.pipeline.commit_interval_ms;
  in.stop = &stop;
  p.ingress = sys.spawn<caf::detached>(kafka::ingress_actor, in, routes, hosts, p.sink,
                                       p.alert_sink, &ctx);
}

void tear_down(caf::scoped_actor& self, const pipeline_actors& p, std::size_t already_down) {
  auto all = p.all();
  for (const auto& a : all)
    self->send_exit(a, caf::exit_reason::user_shutdown);
  std::size_t down = already_down;
  self->receive_while([&] { return down < all.size(); })([&](caf::down_msg&) { ++down; },
                                                         caf::after(std::chrono::seconds(10)) >>
                                                           [&] { down = all.size(); });
}

}  // namespace txstream
