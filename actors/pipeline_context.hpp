// What every pipeline actor of a node shares: settings, metrics, clock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "actors/memory_account.hpp"
#include "actors/raw_batch_pool.hpp"
#include "config/aggregator_config.hpp"
#include "config/fraud_rules_config.hpp"
#include "config/pipeline_config.hpp"
#include "config/topics_config.hpp"
#include "monitoring/actor_probe.hpp"
#include "monitoring/cluster_probe.hpp"
#include "monitoring/link_probe.hpp"
#include "monitoring/memory_probe.hpp"
#include "monitoring/pipeline_probe.hpp"

namespace txstream {

/// Shared, read-mostly context; outlives every actor of the pipeline.
struct pipeline_context {
  aggregator_config aggregation;
  fraud_rules_config fraud;
  pipeline_config pipeline;
  topics_config topics;
  monitoring::pipeline_probe* metrics = nullptr;
  monitoring::memory_probe* memory_metrics = nullptr;
  monitoring::actor_metrics* actor_metrics = nullptr;
  monitoring::cluster_probe* cluster_metrics = nullptr;
  /// Links to peer nodes (null on a node on its own).
  monitoring::link_probe* links = nullptr;
  /// Where routed raw batches go back to the ingress (null: freed).
  raw_batch_pool* raw_batches = nullptr;
  /// The node's memory plan and what its buffers hold (null: not counted).
  memory_account* memory = nullptr;
  /// Fraud detectors get their own threads, so alerts never wait behind
  /// window-close bursts on the worker pool. Deterministic tests turn this
  /// off: the test scheduler drives only actors on the pool.
  bool detectors_on_own_threads = true;
  /// Failure injection for tests of supervision against a real broker:
  /// shard 0 throws after this many batches (-1: never). The supervisor
  /// clears it after the first failure.
  std::int64_t crash_shard_after_batches = -1;
  /// In a cluster: until when (steady clock, ms) the node may write output
  /// (nodes/cluster_manager.hpp); null for a node on its own.
  const std::atomic<std::int64_t>* lease_until_ms = nullptr;
  /// Whether output may go out now.
  bool lease_valid() const {
    if (lease_until_ms == nullptr)
      return true;
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now().time_since_epoch())
                       .count();
    return now < lease_until_ms->load(std::memory_order_acquire);
  }
  /// Called by the ingress (on its thread) with the input partitions it
  /// consumes after each assignment or revocation; may be empty.
  std::function<void(const std::vector<std::int32_t>&)> partitions_changed;
  /// Wall clock in ms; tests substitute a fake one.
  std::function<std::int64_t()> now_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
  };
};

}  // namespace txstream
