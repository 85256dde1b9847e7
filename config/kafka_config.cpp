#include "config/kafka_config.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace txstream {

int group_heartbeat_interval_ms(const kafka_config& kafka) {
  return std::clamp(kafka.session_timeout_ms / 3, 1, 1000);
}

const char* reserved_client_property(const std::string& property) {
  // Each with its librdkafka aliases: setting an alias would override the
  // same property under another name.
  static const std::array<std::pair<const char*, const char*>, 20> reserved{{
    {"bootstrap.servers", "use kafka.bootstrap"},
    {"metadata.broker.list", "use kafka.bootstrap"},
    {"group.id", "use kafka.group_id"},
    {"session.timeout.ms", "use kafka.session_timeout_ms"},
    {"queued.max.messages.kbytes", "use kafka.prefetch_kbytes"},
    {"queued.min.messages", "the prefetch is bounded by kafka.prefetch_kbytes"},
    {"enable.auto.commit", "offsets are committed only once their outputs are delivered"},
    {"enable.auto.offset.store", "offsets are committed only once their outputs are delivered"},
    {"auto.offset.reset", "a new group reads its input from the start"},
    {"isolation.level", "only committed input is read"},
    {"enable.partition.eof", "--until-drained detects the end of input with it"},
    {"partition.assignment.strategy",
     "txstream assigns roundrobin: librdkafka 2.0 hangs closing a cooperative consumer"},
    {"enable.idempotence", "outputs are written exactly once per attempt (idempotent producer)"},
    {"acks", "outputs are acknowledged by all in-sync replicas"},
    {"request.required.acks", "outputs are acknowledged by all in-sync replicas"},
    {"transactional.id", "producers are idempotent, not transactional"},
    {"partitioner", "output keys are placed as Java clients place them (murmur2_random)"},
    {"linger.ms", "set per output: anomalies are sent at once, aggregates batched"},
    {"queue.buffering.max.ms", "set per output: anomalies are sent at once, aggregates batched"},
    {"enable.gapless.guarantee",
     "outputs are written exactly once per attempt (idempotent producer)"},
  }};
  for (const auto& [name, why] : reserved)
    if (property == name)
      return why;
  return nullptr;
}

}  // namespace txstream
