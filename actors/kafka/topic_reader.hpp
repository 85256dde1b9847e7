// Reads a whole topic, every partition from its low to its high watermark as
// they were when the read started: assign(), no consumer group, no commits.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "actors/kafka/client_config.hpp"
#include "messages/kafka_headers.hpp"

namespace txstream::kafka {

/// One record as read; the reader reuses the object between callbacks.
struct topic_record {
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  std::int64_t timestamp_ms = -1;
  bool has_key = false;
  std::string key;
  std::string value;
  std::vector<kafka_header> headers;

  /// The value of the last header named `name`, or nullptr.
  const std::string* header(std::string_view name) const;
};

/// How far one partition was read.
struct partition_extent {
  std::int32_t partition = -1;
  std::int64_t low = 0;   // low watermark at the start
  std::int64_t high = 0;  // high watermark at the start: read up to here
  std::int64_t next = 0;  // next offset the reader would have read
  std::uint64_t records = 0;
  bool complete = false;
};

/// Outcome of reading one topic.
struct topic_read_result {
  std::string topic;
  std::vector<partition_extent> partitions;
  std::uint64_t records = 0;
  std::string error;  // why a partition is incomplete, if one is

  bool complete() const;
};

class topic_reader {
public:
  /// A reader on `bootstrap`; `extra` settings override the defaults
  /// (isolation.level=read_committed). Throws on a bad setting.
  /// `idle_timeout_ms` bounds the wait for progress on an incomplete
  /// partition (e.g. one held back by an open transaction).
  explicit topic_reader(const std::string& bootstrap, const settings& extra = {},
                        int idle_timeout_ms = 30000);
  ~topic_reader();

  topic_reader(const topic_reader&) = delete;
  topic_reader& operator=(const topic_reader&) = delete;

  /// Calls `on_record` for every record of `topic` below the high
  /// watermarks taken at the start, in offset order per partition. Throws
  /// std::runtime_error when the topic does not exist or the cluster cannot
  /// be reached.
  topic_read_result read(const std::string& topic,
                         const std::function<void(const topic_record&)>& on_record);

private:
  std::string bootstrap_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  int idle_timeout_ms_;
};

}  // namespace txstream::kafka
