#include "config/memory_budget.hpp"

#include <algorithm>

namespace txstream {

namespace {

constexpr std::size_t mib = 1024 * 1024;
/// The prefetch of a node without a budget: about a second of input at
/// the node's full speed, what librdkafka 2.0 needed before the ingress
/// woke its fetcher.
constexpr std::size_t unbudgeted_prefetch = 128 * mib;
constexpr std::size_t unbudgeted_batches = 32;
/// librdkafka refuses a smaller prefetch queue.
constexpr std::size_t min_prefetch = 1 * mib;

}  // namespace

memory_plan plan_memory(const node_config& cfg) {
  memory_plan plan;
  plan.budget = static_cast<std::size_t>(cfg.pipeline.memory_budget_mb) * mib;
  if (plan.budget == 0) {
    plan.prefetch = unbudgeted_prefetch;
  } else {
    plan.prefetch = std::max(min_prefetch, plan.budget / 16);
    plan.in_flight = plan.budget / 4;
    plan.output = plan.budget / 8;
    plan.pool = plan.budget / 32;
  }
  if (cfg.kafka.prefetch_kbytes > 0)
    plan.prefetch = static_cast<std::size_t>(cfg.kafka.prefetch_kbytes) * 1024;
  return plan;
}

std::size_t in_flight_batches_per_partition(const memory_plan& plan,
                                            const pipeline_config& pipeline,
                                            std::size_t partitions) {
  if (pipeline.max_in_flight_batches > 0)
    return pipeline.max_in_flight_batches;
  if (plan.in_flight == 0)
    return unbudgeted_batches;
  const auto per_batch = std::max<std::size_t>(1, pipeline.max_batch_records)
                         * in_flight_bytes_per_record;
  const auto batches = plan.in_flight / (std::max<std::size_t>(1, partitions) * per_batch);
  return std::clamp<std::size_t>(batches, 2, unbudgeted_batches);
}

}  // namespace txstream
