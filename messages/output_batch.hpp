// Records on their way to Kafka through a node's sink.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace txstream {

/// One record to produce: topic, key, value and headers.
struct output_record {
  std::string topic;
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Records that one actor step produced; the sink answers once every one
/// of them is delivered (node-local).
struct output_batch {
  std::vector<output_record> records;
};

} // namespace txstream
