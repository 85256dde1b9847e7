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
  /// Records librdkafka prefetches for the node, in KiB. librdkafka 2.0
  /// (Debian 12) stops fetching once its queue reaches this and resumes only
  /// about a second later, so it must hold a second of input or the node
  /// stalls: 128 MiB is ~480k records of 280 bytes.
  int prefetch_kbytes = 131072;
};

} // namespace txstream
