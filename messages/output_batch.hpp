// Records on their way to Kafka through a node's sink.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "messages/counted_bytes.hpp"

namespace txstream {

/// One record to produce: key, value and headers (its topic is the batch's).
struct output_record {
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Records that one actor step produced; the sink answers once every one
/// of them is delivered (node-local).
struct output_batch {
  /// Every record of a batch goes to this topic: each producer of batches
  /// (aggregator, detector, partition-consumer) writes to one topic, and a
  /// long topic name copied into each record was a heap allocation each.
  std::string topic;
  std::vector<output_record> records;
  /// How long the sink may hold these records to send them together with
  /// later batches (0: send at once). A batch that may not wait sends
  /// every held one before it, so records keep their order.
  std::int64_t may_wait_ms = 0;
  /// Its share of the memory the node's output holds until a sink has
  /// handed it to its producer (node-local).
  counted_bytes counted;
};

}  // namespace txstream
