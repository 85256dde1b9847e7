// The Kafka topics txstream reads and writes, with their defaults: the input,
// the three outputs of docs/output-contracts.md, the cluster's control topic
// and the compacted state topic.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace txstream {

/// One topic as txstream wants it to exist: partitions, replication factor
/// (capped at the broker count on creation) and topic-level configs.
struct topic_spec {
  std::string name;
  std::int32_t partitions = 1;
  std::int16_t replication = 3;
  std::vector<std::pair<std::string, std::string>> configs;
};

/// Seven days, the retention of every non-compacted topic.
inline constexpr const char* seven_days_ms = "604800000";

struct topics_config {
  // LogAppendTime: a record's timestamp is the broker's clock when it
  // arrived, which future_time checks measure event times against.
  topic_spec transactions{"financial_transactions",
                          5,
                          3,
                          {{"cleanup.policy", "delete"},
                           {"retention.ms", seven_days_ms},
                           {"message.timestamp.type", "LogAppendTime"}}};
  // Not compacted: many windows share a merchant key.
  topic_spec aggregates{"transaction_aggregates",
                        3,
                        3,
                        {{"cleanup.policy", "delete"}, {"retention.ms", seven_days_ms}}};
  topic_spec anomalies{
    "transaction_anomalies", 3, 3, {{"cleanup.policy", "delete"}, {"retention.ms", seven_days_ms}}};
  topic_spec deadletter{"transaction_deadletter",
                        3,
                        3,
                        {{"cleanup.policy", "delete"}, {"retention.ms", seven_days_ms}}};
  topic_spec control{"txstream_control", 1, 3, {{"cleanup.policy", "compact"}}};
  topic_spec state{"txstream_state", 1, 3, {{"cleanup.policy", "compact"}}};

  /// Every topic, in the order they are created and described.
  std::vector<topic_spec> all() const {
    return {transactions, aggregates, anomalies, deadletter, control, state};
  }
};

}  // namespace txstream
