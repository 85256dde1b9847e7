// An RAII librdkafka producer whose delivery reports are never ignored.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "actors/kafka/client_config.hpp"

namespace txstream::kafka {

/// The outcome of one produced record, handed to the delivery callback.
struct delivery_report {
  bool ok = false;
  std::string error;  // empty when ok
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  void* opaque = nullptr;  // what the caller passed to produce()
};

using header_list = std::vector<std::pair<std::string, std::string>>;

class producer {
public:
  using delivery_callback = std::function<void(const delivery_report&)>;

  /// Creates the producer; `on_delivery` runs inside poll()/flush() on the
  /// caller's thread. Throws on a bad setting (start-up only).
  producer(const settings& s, delivery_callback on_delivery);
  ~producer();

  producer(const producer&) = delete;
  producer& operator=(const producer&) = delete;

  /// Enqueues one record (partition -1 = partitioner by key). Waits, polling,
  /// while librdkafka's queue is full. Returns an error text on failure, or
  /// an empty string; a failure here never reaches the delivery callback.
  std::string produce(rd_kafka_topic_t* topic, std::int32_t partition, std::string_view key,
                      std::string_view value, const header_list* headers = nullptr,
                      void* opaque = nullptr);

  /// produce() to the topic named `topic` (looked up among the handles).
  std::string produce(const std::string& topic, std::int32_t partition, std::string_view key,
                      std::string_view value, const header_list* headers = nullptr,
                      void* opaque = nullptr);

  /// The handle of topic `name`, created on first use and kept for the
  /// producer's lifetime; nullptr if librdkafka cannot create it. Callers
  /// producing many records resolve it once: producing by name made
  /// librdkafka look the topic up (a lock and a list scan) for every record.
  rd_kafka_topic_t* topic(const std::string& name);

  /// Makes librdkafka learn `topics` (partitions, leaders) now. Otherwise
  /// the first record to a topic it has not seen waits for its periodic
  /// topic scan (once a second) before the topic's metadata is even
  /// requested: up to a second of latency at the start of a run. Returns
  /// the topics that could not be described within `timeout_ms` each.
  std::vector<std::string> prepare_topics(const std::vector<std::string>& topics, int timeout_ms);

  /// Serves delivery callbacks; returns how many ran.
  int poll(int timeout_ms);

  /// Waits for every enqueued record's delivery; true when none is left.
  bool flush(int timeout_ms);

  /// Records enqueued or in flight, not yet reported.
  int in_flight() const;

  RdKafka::Producer& handle() {
    return *producer_;
  }

private:
  class report_adapter;
  std::unique_ptr<report_adapter> adapter_;  // outlives producer_
  std::unique_ptr<RdKafka::Producer> producer_;
  // Topic handles by name, prepared or used; few, so searched in order.
  std::vector<std::pair<std::string, std::unique_ptr<RdKafka::Topic>>> topics_;
};

}  // namespace txstream::kafka
