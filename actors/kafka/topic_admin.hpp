// Creating, describing and deleting topics through librdkafka's Admin API.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "actors/kafka/client_config.hpp"
#include "config/topics_config.hpp"

namespace txstream::kafka {

/// A topic as the cluster has it.
struct topic_description {
  std::string name;
  bool exists = false;
  int partitions = 0;
  int replication = 0;                         // replicas of partition 0
  std::map<std::string, std::string> configs;  // the keys txstream manages
};

/// Outcome of creating one topic.
struct topic_creation {
  std::string name;
  enum class outcome { created, already_existed } result;
  int replication = 0;  // after capping at the broker count
};

/// One partition of a topic: its log's watermarks and what a consumer
/// group committed there.
struct partition_position {
  std::int32_t partition = -1;
  std::int64_t low = 0;         // first offset still in the log
  std::int64_t high = 0;        // log end: the next offset to be written
  std::int64_t committed = -1;  // the group's committed offset; -1: none
};

/// Admin client; every method throws std::runtime_error with a clear
/// message when the cluster cannot be reached or refuses a request.
class topic_admin {
public:
  static constexpr int default_timeout_ms = 30000;

  /// `extra`: more client settings (the [kafka.client] properties).
  explicit topic_admin(const std::string& bootstrap, int timeout_ms = default_timeout_ms,
                       const settings& extra = {});

  /// Number of brokers the cluster reports.
  int broker_count();

  /// Creates missing topics; existing ones are left as they are, so calling
  /// this twice is harmless. Replication is capped at the broker count.
  /// Returns once the broker's metadata shows every partition with a leader
  /// (or the timeout passed): the controller accepts a topic before the
  /// brokers know it, and a reader started at once was told it does not
  /// exist. A leader may still answer "not leader" for a moment after the
  /// metadata names it; topic_reader retries that.
  std::vector<topic_creation> create(const std::vector<topic_spec>& specs);

  std::vector<topic_description> describe(const std::vector<topic_spec>& specs);

  /// Deletes the named topics; missing ones are ignored.
  void remove(const std::vector<std::string>& names);

  /// Names of the cluster's topics that start with `prefix`.
  std::vector<std::string> topics_with_prefix(const std::string& prefix);

  /// Names of the cluster's consumer groups that start with `prefix`.
  std::vector<std::string> groups_with_prefix(const std::string& prefix);

  /// Deletes the named consumer groups and their committed offsets; missing
  /// ones are ignored. Returns the groups that still had members (a member
  /// that just left is one until the broker has finished its rebalance).
  std::vector<std::string> remove_groups(const std::vector<std::string>& names);

  /// Every partition of `topic`, ascending, with its watermarks and the
  /// offset `group` committed there, read without joining the group (an
  /// offset fetch, so a running group does not rebalance). Empty when the
  /// topic does not exist.
  std::vector<partition_position> group_positions(const std::string& group,
                                                  const std::string& topic);

private:
  settings settings_;  // for the consumer handle of group_positions
  handle_ptr rk_;
  int timeout_ms_;
};

}  // namespace txstream::kafka
