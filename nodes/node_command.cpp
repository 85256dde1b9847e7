// `txstream node`: runs the pipeline of one node, alone or as a member of a
// cluster (cluster.listen set), until drained or stopped.
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <tuple>

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <spdlog/spdlog.h>

#include "actors/kafka/client_config.hpp"
#include "actors/node_directory_actor.hpp"
#include "actors/pipeline_context.hpp"
#include "config/cluster_config.hpp"
#include "config/memory_budget.hpp"
#include "config/node_config.hpp"
#include "messages/message_types.hpp"
#include "monitoring/cluster_probe.hpp"
#include "monitoring/health.hpp"
#include "monitoring/http_endpoint.hpp"
#include "monitoring/link_probe.hpp"
#include "monitoring/logging.hpp"
#include "monitoring/memory_probe.hpp"
#include "monitoring/metrics_registry.hpp"
#include "nodes/application.hpp"
#include "nodes/cluster_supervisor.hpp"
#include "nodes/cluster_transport.hpp"
#include "nodes/commands.hpp"
#include "nodes/memory_governor.hpp"
#include "nodes/node_options.hpp"
#include "nodes/pipeline_parts.hpp"
#include "nodes/pipeline_supervisor.hpp"

namespace txstream {

namespace {

std::atomic<bool> stop_requested{false};

extern "C" void on_stop_signal(int) {
  stop_requested.store(true);
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
}

/// Joins the cluster of the control topic, serves this node's directory on
/// cluster.listen and runs the cluster supervisor; the outcome and the
/// restarts, or nullopt when the node cannot join.
std::optional<std::pair<pipeline_outcome, int>>
run_cluster_node(caf::actor_system& sys, const node_config& cfg, pipeline_context& ctx,
                 const cluster_tls& tls, bool until_drained, monitoring::health_state& health,
                 monitoring::cluster_probe& metrics) {
  std::string host;
  std::uint16_t port = 0;
  if (!split_host_port(cfg.cluster.listen, host, port)) {
    spdlog::error("cluster.listen {} is not host:port", cfg.cluster.listen);
    return std::nullopt;
  }
  cluster_manager manager{cfg, client_settings(cfg), TXSTREAM_VERSION};
  try {
    manager.start();
  } catch (const std::exception& e) {
    spdlog::error("cannot join the cluster: {}", e.what());
    return std::nullopt;
  }
  auto directory = sys.spawn(node_directory_actor);
  auto bound = publish_node(sys, caf::actor_cast<caf::actor>(directory), host, port, tls);
  if (!bound) {
    spdlog::error("cannot listen for peers on {}: {}", cfg.cluster.listen,
                  sys.render(bound.error()));
    caf::anon_send_exit(directory, caf::exit_reason::user_shutdown);
    manager.leave();
    return std::nullopt;
  }
  spdlog::info("node {} listens for peers on {} (advertised as {}{})", cfg.node_id,
               cfg.cluster.listen, cfg.cluster.advertised(), tls.enabled() ? ", TLS" : "");
  ctx.lease_until_ms = &manager.lease_until_ms();
  cluster_supervisor supervisor{
    sys, cfg, ctx, manager, directory, tls, until_drained, stop_requested, health, metrics};
  const auto outcome = supervisor.run();
  ctx.lease_until_ms = nullptr;
  caf::anon_send_exit(directory, caf::exit_reason::user_shutdown);
  return std::make_pair(outcome, supervisor.restarts());
}

int run_node(const node_options& opts, const allocator_control& allocator) {
  node_config cfg = load_config(opts);
  // librdkafka checks the [kafka.client] properties now, before anything
  // starts, rather than when the pipeline creates its clients.
  static_cast<void>(kafka::client_properties(cfg.kafka.client));
  monitoring::logging_config log;
  log.node_id = cfg.node_id;
  log.level = spdlog::level::from_str(cfg.log.level);
  log.format = cfg.log.format == "text" ? monitoring::log_format::text
                                        : monitoring::log_format::json;
  monitoring::logging_guard logging{log};
  install_signal_handlers();

  monitoring::metrics_registry registry{TXSTREAM_VERSION};
  monitoring::pipeline_probe pipeline_metrics{registry};
  monitoring::actor_metrics actor_metrics{registry};
  monitoring::health_state health;
  std::optional<monitoring::http_endpoint> http;
  try {
    http.emplace(monitoring::http_endpoint_config{cfg.metrics.bind, cfg.metrics.port}, registry,
                 health.checks());
  } catch (const std::exception& e) {
    spdlog::error("cannot serve metrics: {}", e.what());
    return exit_failure;
  }
  spdlog::info("node {} starting: kafka {}, metrics on port {}", cfg.node_id, cfg.kafka.bootstrap,
               http->port());
  if (!cfg.kafka.client.empty()) {
    // Names only: values may be secrets.
    std::string names;
    for (const auto& [property, value] : cfg.kafka.client)
      names += (names.empty() ? "" : ", ") + property;
    spdlog::info("kafka client properties set: {}", names);
  }

  const auto plan = plan_memory(cfg);
  memory_account memory{plan};
  memory_governor governor{plan.budget, allocator.set_tight};
  raw_batch_pool raw_batches{64, plan.pool};
  monitoring::memory_probe memory_metrics{registry};
  memory_metrics.budget("total", static_cast<std::int64_t>(plan.budget));
  memory_metrics.budget("prefetch", static_cast<std::int64_t>(plan.prefetch));
  memory_metrics.budget("in_flight", static_cast<std::int64_t>(plan.in_flight));
  memory_metrics.budget("output", static_cast<std::int64_t>(plan.output));
  memory_metrics.budget("pool", static_cast<std::int64_t>(plan.pool));
  memory_metrics.sample("in_flight", [&memory] { return memory.in_flight(); });
  memory_metrics.sample("output", [&memory] { return memory.output(); });
  memory_metrics.sample(
    "pool", [&raw_batches] { return static_cast<std::int64_t>(raw_batches.kept_bytes()); });
  pipeline_context ctx;
  ctx.raw_batches = &raw_batches;
  ctx.memory = &memory;
  ctx.aggregation = cfg.aggregation;
  ctx.fraud = cfg.fraud;
  ctx.pipeline = cfg.pipeline;
  ctx.topics = cfg.topics;
  ctx.metrics = &pipeline_metrics;
  ctx.memory_metrics = &memory_metrics;
  ctx.actor_metrics = &actor_metrics;
  // Test hook (docs/pipeline.md): make shard 0 fail once, mid-stream.
  if (const char* crash = std::getenv("TXSTREAM_TEST_CRASH_SHARD_AFTER_BATCHES"))
    ctx.crash_shard_after_batches = std::atoll(crash);

  caf::actor_system_config sys_cfg;
  sys_cfg.set("scheduler.max-threads", cfg.scheduler_threads);
  // Sharing: idle workers wait on the job queue's condition variable and
  // a new job wakes one. With work stealing they poll and sleep between
  // polls, and on this pipeline (most work on detached threads, so workers
  // idle often) those sleeps cost ~7 % of the node's CPU for the same drain.
  if (cfg.scheduler_policy == "sharing") {
    sys_cfg.set("scheduler.policy", caf::atom("sharing"));
  } else {
    // Work stealing. An idle worker steals only after its relaxed sleep
    // (10 ms by default), while actor-to-actor messages queue on the
    // sender's worker: with the default, one worker ran the whole pipeline
    // in bursts. 1 ms keeps both busy at the cost of a few wake-ups per
    // second when idle.
    sys_cfg.set("work-stealing.relaxed-sleep-duration",
                caf::timespan{std::chrono::milliseconds(1)});
    // Before that, an idle worker polls 500 times with a sleep in between;
    // CAF's 50 us made ~6 % of the node's CPU samples context switches out
    // of those sleeps. 250 us: ~5 % more throughput, at most 0.25 ms more
    // per hop when idle.
    sys_cfg.set("work-stealing.moderate-sleep-duration",
                caf::timespan{std::chrono::microseconds(250)});
  }
  const cluster_tls tls{cfg.cluster.tls_ca, cfg.cluster.tls_certificate, cfg.cluster.tls_key};
  if (cfg.cluster.enabled()) {
    validate_cluster_tls(tls);
    configure_transport(sys_cfg, tls, std::chrono::milliseconds(cfg.cluster.heartbeat_ms),
                        std::chrono::milliseconds(cfg.cluster.node_timeout_ms));
  }
  add_message_types(sys_cfg);
  caf::actor_system sys{sys_cfg};
  monitoring::cluster_probe cluster_metrics{registry};
  ctx.cluster_metrics = &cluster_metrics;
  monitoring::link_probe links{registry};
  if (cfg.cluster.enabled())
    ctx.links = &links;
  pipeline_outcome outcome;
  int restarts = 0;
  if (cfg.cluster.enabled()) {
    auto run = run_cluster_node(sys, cfg, ctx, tls, opts.until_drained, health, cluster_metrics);
    if (!run)
      return exit_failure;
    std::tie(outcome, restarts) = *run;
  } else {
    // A node on its own is the whole cluster.
    cluster_metrics.cluster_size(1);
    cluster_metrics.leader(true);
    cluster_metrics.shards_owned(cfg.aggregation.shards);
    ctx.partitions_changed = [&cluster_metrics](const std::vector<std::int32_t>& parts) {
      cluster_metrics.partitions_owned(static_cast<std::int64_t>(parts.size()));
    };
    pipeline_supervisor supervisor{sys, cfg, ctx, opts.until_drained, stop_requested, health};
    outcome = supervisor.run();
    restarts = supervisor.restarts();
  }
  switch (outcome) {
    case pipeline_outcome::drained:
      spdlog::info("node {}: input drained, every output delivered, offsets "
                   "committed",
                   cfg.node_id);
      return exit_ok;
    case pipeline_outcome::stopped: spdlog::info("node {}: stopped", cfg.node_id); return exit_ok;
    case pipeline_outcome::escalated:
      spdlog::critical("node {}: restart budget exhausted after {} restarts", cfg.node_id,
                       restarts);
      return 3;
  }
  return exit_failure;
}

}  // namespace

void add_node_command(CLI::App& app, command_action& action, const allocator_control& allocator) {
  auto* cmd = app.add_subcommand("node", "Run a txstream node (the pipeline)");
  static node_options opts;
  add_node_options(*cmd, opts);
  cmd->add_flag("--until-drained", opts.until_drained,
                "Exit 0 once all input is processed, every window flushed, "
                "outputs delivered and offsets committed");
  cmd->callback(
    [&action, &allocator] { action = [&allocator] { return run_node(opts, allocator); }; });
}

}  // namespace txstream
