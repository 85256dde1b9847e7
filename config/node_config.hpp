// Everything a `txstream node` process is configured with (config/node.example.toml).
#pragma once

#include <cstdint>
#include <string>

#include "config/aggregator_config.hpp"
#include "config/cluster_config.hpp"
#include "config/fraud_rules_config.hpp"
#include "config/kafka_config.hpp"
#include "config/pipeline_config.hpp"
#include "config/topics_config.hpp"

namespace txstream {

struct metrics_config {
  /// Address of /metrics, /healthz and /readyz.
  std::string bind = "0.0.0.0";
  std::uint16_t port = 9464;
};

struct log_config {
  std::string level = "info";   // trace, debug, info, warn, error
  std::string format = "json";  // json (ECS lines) or text
};

struct supervision_config {
  /// Restarts allowed within `restart_window_ms` before the node gives up
  /// and exits non-zero.
  int max_restarts = 5;
  std::int64_t restart_window_ms = 60000;
  /// Exponential backoff between restarts.
  std::int64_t backoff_initial_ms = 500;
  std::int64_t backoff_max_ms = 10000;
};

struct node_config {
  std::string node_id = "node-1";
  /// CAF scheduler threads; the machine this runs on has 2 cores.
  int scheduler_threads = 2;
  /// CAF's scheduling policy: "sharing" (one job queue; idle workers block
  /// until a job comes) or "stealing" (a queue per worker; idle workers poll
  /// and sleep between polls).
  std::string scheduler_policy = "sharing";
  cluster_config cluster;
  kafka_config kafka;
  topics_config topics;
  aggregator_config aggregation;
  fraud_rules_config fraud;
  pipeline_config pipeline;
  metrics_config metrics;
  log_config log;
  supervision_config supervision;
};

}  // namespace txstream
