#include "monitoring/generator_probe.hpp"

#include "monitoring/family_builders.hpp"

namespace txstream::monitoring {

generator_probe::generator_probe(metrics_registry& registry)
  : sent_(counter_family(registry, "txstream_generator_sent_total",
                         "Records the generator handed to Kafka")
            .Add({})),
    errors_(
      counter_family(registry, "txstream_generator_errors_total", "Generator sends that failed")
        .Add({})) {
  // nop
}

}  // namespace txstream::monitoring
