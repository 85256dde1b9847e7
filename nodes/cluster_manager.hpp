// A node's link to the cluster through Kafka (docs/cluster.md): a thread that
// writes the node's heartbeat to the control topic, reads the topic in log
// order into a cluster_view, takes part in the control topic's consumer
// group (the member holding its partition leads) and, as leader, publishes
// shard maps. The node's supervisor asks it which map to run and tells it
// what the node does.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "actors/cluster_view.hpp"
#include "actors/kafka/client_config.hpp"
#include "actors/kafka/consumer.hpp"
#include "config/node_config.hpp"
#include "messages/control_records.hpp"

namespace txstream {

/// What the node reports about itself in its heartbeats.
struct node_activity {
  std::uint64_t map_version = 0;  // routes by this map; tore down all older
  std::vector<std::uint32_t> shards;
  std::vector<std::int32_t> partitions;
  drain_stage drain = drain_stage::none;
  std::vector<link_stats> links;
};

/// A summary for metrics and logs.
struct cluster_summary {
  std::size_t live_nodes = 0;
  bool leader = false;
  std::uint64_t leader_epoch = 0;
  std::uint64_t map_version = 0;
};

class cluster_manager {
public:
  /// `client`: bootstrap.servers and the [kafka.client] properties.
  /// `version`: the build's, for heartbeats.
  cluster_manager(const node_config& cfg, kafka::settings client, std::string version);
  ~cluster_manager();

  cluster_manager(const cluster_manager&) = delete;
  cluster_manager& operator=(const cluster_manager&) = delete;

  /// Starts the thread; throws when the control topic cannot be read.
  void start();

  /// A graceful stop: the "left" heartbeat goes out (others move this
  /// node's shards at once instead of after the timeout), then the thread
  /// ends.
  void leave();

  /// This node's incarnation now, and the next one after a pipeline of
  /// this node failed (it rejoins as new, so its shards are rebuilt).
  std::string incarnation() const;
  void next_generation();

  /// The newest shard map in the log (adopted by every node).
  std::optional<shard_map> adopted() const;
  /// Every live node routes by `version` or newer.
  bool barrier_passed(std::uint64_t version) const;
  /// Every live ingest node drained and committed its input.
  bool drained() const;
  cluster_summary summary() const;

  /// What the node does now; `heartbeat_now`: send it at once (a new map
  /// routed by, a drain finished) rather than at the next interval.
  void report(node_activity activity, bool heartbeat_now);
  /// The connection to a peer's incarnation dropped.
  void peer_unreachable(const std::string& id, const std::string& incarnation);

  /// Waits until the view changed after `seen` (a change count) or
  /// `timeout` passed; returns the change count now.
  std::uint64_t wait_for_change(std::uint64_t seen, std::chrono::milliseconds timeout) const;

  /// Until when (steady clock, ms) this node may write output: its last
  /// heartbeat that came back from the log, plus the node timeout. A node
  /// frozen for longer may have been replaced; it writes nothing until its
  /// view is current again. Revoked when a new map is adopted.
  const std::atomic<std::int64_t>& lease_until_ms() const noexcept {
    return lease_until_ms_;
  }

private:
  void run();
  void send_heartbeat(node_state state);
  void handle_record(const std::string& key, const std::string& value);

  node_config cfg_;
  kafka::settings client_;
  std::string version_;
  std::int64_t started_ms_;
  std::vector<std::string> roles_;

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::uint64_t changes_ = 0;
  cluster_view view_;
  node_activity activity_;
  std::uint32_t generation_ = 0;
  bool heartbeat_now_ = false;
  bool caught_up_ = false;
  std::atomic<bool> holds_control_partition_{false};
  std::deque<std::pair<std::int64_t, std::int64_t>> sent_;  // sent_ms -> steady ms
  std::atomic<std::int64_t> lease_until_ms_{0};

  kafka::handle_ptr tail_;                  // reads the control topic, no group
  kafka::handle_ptr producer_;              // writes heartbeats and maps
  std::unique_ptr<kafka::consumer> group_;  // member of the control group
  std::int64_t catch_up_to_ = 0;            // the log's end when the node started

  std::atomic<bool> stop_{false};
  std::atomic<bool> leaving_{false};
  std::thread thread_;
};

}  // namespace txstream
