// Traffic on the links from this node to its peers: what partition-consumers
// send to aggregator hosts on other nodes and how soon those answer
// (docs/cluster.md, "Links"). Feeds the link metrics and the heartbeats'
// link list that `txstream status` shows.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include "monitoring/metrics_registry.hpp"

namespace txstream::monitoring {

/// Thread-safe; one per process. `registry` must outlive the probe.
class link_probe {
public:
  /// The link to one peer; its address stays valid as long as the probe.
  class link {
  public:
    link(metrics_registry& registry, const std::string& peer);

    /// One batch of `records` went out, `bytes` serialized.
    void sent(std::size_t records, std::size_t bytes);
    /// The peer answered one batch (processed it) `round_trip` after it
    /// was sent.
    void answered(std::chrono::duration<double> round_trip);

  private:
    friend class link_probe;
    prometheus::Counter& batches_;
    prometheus::Counter& records_;
    prometheus::Counter& bytes_;
    prometheus::Gauge& in_flight_;
    prometheus::Histogram& round_trip_;
    prometheus::Counter& abandoned_;
    std::atomic<std::uint64_t> batches_n_{0};
    std::atomic<std::uint64_t> bytes_n_{0};
    std::atomic<std::int64_t> in_flight_n_{0};
  };

  /// A link's figures for the heartbeat.
  struct totals {
    std::string peer;
    std::uint64_t in_flight = 0;
    std::uint64_t batches = 0;
    std::uint64_t bytes = 0;
  };

  explicit link_probe(metrics_registry& registry);

  /// Upper bounds of `txstream_link_round_trip_seconds`.
  static const std::vector<double>& round_trip_buckets();

  /// Tells which peer a CAF node is (its node id as text), when the node
  /// reaches it.
  void name(const std::string& caf_node, const std::string& peer);
  /// The link to the peer that CAF node `caf_node` is; null when unnamed.
  link* find(const std::string& caf_node);

  /// The pipeline that sent on the links ended: batches still unanswered
  /// will never be (the next pipeline replays their records from Kafka).
  /// They leave the in-flight count and are counted as abandoned.
  void pipeline_ended();

  /// Every link used so far, by peer id.
  std::vector<totals> snapshot() const;

private:
  link& peer(const std::string& id);

  metrics_registry& registry_;
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<link>> links_;  // by peer id
  std::map<std::string, link*> by_caf_node_;
};

}  // namespace txstream::monitoring
