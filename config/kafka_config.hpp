// How a node reaches Kafka.
#pragma once

#include <map>
#include <string>

namespace txstream {

struct kafka_config {
  /// Comma-separated host:port list of brokers.
  std::string bootstrap = "127.0.0.1:9092";
  /// Consumer group of the partition-consumers.
  std::string group_id = "txstream";
  /// librdkafka session timeout; low so a restarted node rejoins quickly.
  int session_timeout_ms = 6000;
  /// Records librdkafka prefetches for the node, in KiB; 0: a sixteenth of
  /// the memory budget (pipeline.memory_budget_mb).
  int prefetch_kbytes = 0;
  /// librdkafka properties for every Kafka client txstream creates (the
  /// table [kafka.client]): security (security.protocol, sasl.*, ssl.*), socket
  /// and fetch tuning, client.rack. Properties txstream sets itself for its
  /// guarantees are refused (reserved_client_property()).
  std::map<std::string, std::string> client;
};

/// The heartbeat interval of txstream's consumer groups: a third of the
/// session timeout, at most a second. Members learn of a rebalance at their
/// next heartbeat, so librdkafka's default (3 s) would add up to 3 s to every
/// take-over of a dead member's partitions. [kafka.client] may still set
/// `heartbeat.interval.ms`.
int group_heartbeat_interval_ms(const kafka_config& kafka);

/// Why txstream does not let [kafka.client] set `property` (the librdkafka
/// name, aliases included), or nullptr when it may be set.
const char* reserved_client_property(const std::string& property);

}  // namespace txstream
