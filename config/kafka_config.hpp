// How a node reaches Kafka.
#pragma once

#include <string>

namespace txstream {

struct kafka_config {
  /// Comma-separated host:port list of brokers.
  std::string bootstrap = "127.0.0.1:9092";
  /// Consumer group of the partition-consumers.
  std::string group_id = "txstream";
  /// librdkafka session timeout; low so a restarted node rejoins quickly.
  int session_timeout_ms = 6000;
};

} // namespace txstream
