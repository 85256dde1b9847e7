// What `txstream status` shows: the latest heartbeat of every node and the
// latest shard map on the control topic, judged against the command's own
// clock, and the node group's lag on the input. No Kafka here
// (docs/cluster.md, "txstream status").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messages/control_records.hpp"

namespace txstream {

/// The control topic folded up to where it was read.
struct control_snapshot {
  /// The latest heartbeat per node id, of its newest incarnation.
  std::map<std::string, node_heartbeat> heartbeats;
  std::optional<shard_map> map;  // the latest
  std::uint64_t records = 0;
  std::uint64_t unreadable = 0;  // unknown keys, values that do not decode
  std::string first_problem;     // the first of those, for a warning

  /// Folds in the topic's next record, in offset order. An empty value is
  /// a tombstone: compaction's deletion of the key.
  void add(std::string_view key, std::string_view value);
};

/// One input partition: the node group's committed offset and the log end.
struct input_partition {
  std::int32_t partition = -1;
  std::int64_t low = 0;
  std::int64_t end = 0;
  std::int64_t committed = -1;  // -1: nothing committed (lag counts from low)

  std::int64_t lag() const noexcept;
};

/// What status was asked to look at.
struct status_settings {
  std::string control_topic;
  std::string input_topic;
  std::string group;
  std::int64_t node_timeout_ms = 6000;
};

/// One node as status judges it.
struct node_status {
  node_heartbeat heartbeat;
  /// The status command's clock minus the heartbeat's sent_ms (the sender's
  /// clock), so clock differences between the hosts add to it.
  std::int64_t age_ms = 0;
  bool live = false;  // "up" and age_ms < node_timeout_ms

  /// "live", "left" or "silent" (up, but its heartbeat is too old).
  std::string_view status() const noexcept;
};

struct cluster_status {
  status_settings settings;
  std::int64_t now_ms = 0;
  std::uint64_t records = 0;
  std::uint64_t unreadable = 0;
  std::string first_problem;
  std::vector<node_status> nodes;  // by id
  std::optional<shard_map> map;
  /// The leader: of the live nodes whose heartbeat says leader, the one
  /// with the highest epoch (then the lowest id).
  std::optional<std::string> leader;
  std::uint64_t leader_epoch = 0;
  std::vector<std::string> claimants;                 // every live node that says leader
  std::string no_leader_reason;                       // when there is none
  std::optional<std::vector<input_partition>> input;  // nullopt: no such topic
  std::string input_error;                            // why the input's positions are unknown

  bool ok() const noexcept {
    return leader.has_value();
  }
};

/// Judges `snap` at `now_ms` (wall clock, epoch ms).
cluster_status summarize(const control_snapshot& snap, const status_settings& settings,
                         std::int64_t now_ms, std::optional<std::vector<input_partition>> input,
                         std::string input_error = {});

/// Tables for people; the last line says who leads, or why no one does.
std::string format_text(const cluster_status& s);

/// One JSON object (docs/cluster.md, "txstream status").
std::string format_json(const cluster_status& s);

/// "0-3,7,9-10": ascending runs of `values` (sorted here), "-" when empty.
std::string format_ranges(std::vector<std::uint32_t> values);

}  // namespace txstream
