// An RAII librdkafka group consumer that is always closed properly.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/kafka/client_config.hpp"

namespace txstream::kafka {

/// Partitions gained or lost in a (cooperative) rebalance.
struct rebalance_event {
  bool assigned = false;  // false: revoked or lost
  std::vector<std::int32_t> partitions;
  /// An assignment's callback may say where reading starts, parallel to
  /// `partitions` (left empty, or a negative offset: the committed one).
  std::vector<std::int64_t> start_offsets;
};

class consumer {
public:
  using rebalance_callback = std::function<void(rebalance_event&)>;

  /// Joins the group in `s` (group.id, bootstrap.servers, ...) and subscribes
  /// to `topics`. `on_rebalance` (optional) runs inside consume(): before
  /// an assignment is applied (so that it can set start offsets), after a
  /// revocation. Throws on a bad setting (start-up only).
  consumer(const settings& s, const std::vector<std::string>& topics,
           rebalance_callback on_rebalance = {});
  ~consumer();

  consumer(const consumer&) = delete;
  consumer& operator=(const consumer&) = delete;

  /// The next message or event; nullptr on timeout. The caller owns it.
  std::unique_ptr<RdKafka::Message> consume(int timeout_ms);

  /// Up to `max` messages or events, waiting at most `timeout_ms` for the
  /// first, without a C++ wrapper per message. They stay valid until the
  /// next poll_some() or close(). One poll per message, not librdkafka 2.0's
  /// batch API: that one drops queued messages of partitions that stay
  /// assigned through a rebalance and moves their position past them
  /// (fixed in librdkafka 2.1, confluentinc/librdkafka#4208), which lost
  /// records here whenever a member joined the group.
  const std::vector<rd_kafka_message_t*>& poll_some(int timeout_ms, std::size_t max);

  /// Leaves the group cleanly (commits nothing by itself). Idempotent.
  void close();

  RdKafka::KafkaConsumer& handle() {
    return *consumer_;
  }

private:
  class rebalance_adapter;
  std::unique_ptr<rebalance_adapter> adapter_;  // outlives consumer_
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::vector<rd_kafka_message_t*> batch_;
  bool closed_ = false;

  void release_batch();
};

}  // namespace txstream::kafka
