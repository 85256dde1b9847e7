#include "monitoring/actor_probe.hpp"

#include "monitoring/family_builders.hpp"

namespace txstream::monitoring {

const std::vector<double>& actor_metrics::processing_buckets() {
  // Handlers run 10 us (a routing decision) to ~1 s (a large batch or a
  // blocking Kafka call that should not be there; the top bucket shows it).
  static const std::vector<double> buckets{0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001,
                                           0.0025,  0.005,   0.01,   0.025,   0.05,   0.1,
                                           0.25,    0.5,     1,      2.5};
  return buckets;
}

actor_metrics::actor_metrics(metrics_registry& registry)
  : mailbox_depth_(gauge_family(registry, "txstream_actor_mailbox_depth",
                                "Messages waiting in an actor's mailbox, "
                                "by actor type"),
                   "actor_type"),
    processing_(histogram_family(registry, "txstream_actor_processing_seconds",
                                 "Time to handle one message, by actor type"),
                "actor_type",
                [](prometheus::Family<prometheus::Histogram>& family,
                   const prometheus::Labels& labels) -> prometheus::Histogram& {
                  return family.Add(labels, processing_buckets());
                }),
    restarts_(counter_family(registry, "txstream_actor_restarts_total",
                             "Actor restarts by a supervisor, by actor type"),
              "actor_type") {
  // nop
}

actor_probe actor_metrics::probe(std::string_view actor_type) {
  return actor_probe{mailbox_depth_.get(actor_type), processing_.get(actor_type),
                     restarts_.get(actor_type)};
}

}  // namespace txstream::monitoring
