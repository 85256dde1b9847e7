#include "nodes/verify_settings.hpp"

namespace txstream {

verify_plan plan_verify(const verify_flags& flags, const node_config& cfg) {
  verify_plan p{cfg.topics, flags.checks};
  p.topics.transactions.name = flags.input_topic.value_or(cfg.topics.transactions.name);
  p.topics.deadletter.name = flags.deadletter_topic.value_or(cfg.topics.deadletter.name);
  p.topics.aggregates.name = flags.aggregates_topic.value_or(cfg.topics.aggregates.name);
  p.topics.anomalies.name = flags.anomalies_topic.value_or(cfg.topics.anomalies.name);
  // Dead letters name their source by the input topic's name.
  p.checks.input_topic = p.topics.transactions.name;
  p.checks.window_ms = flags.window_ms.value_or(cfg.aggregation.window_ms);
  p.checks.allowed_lateness_ms = flags.allowed_lateness_ms.value_or(
    cfg.aggregation.allowed_lateness_ms);
  return p;
}

}  // namespace txstream
