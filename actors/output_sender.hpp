// Handing an actor's output to a Kafka sink, counted against the memory
// budget until the sink has given it to its producer.
#pragma once

#include <utility>

#include <caf/actor.hpp>
#include <caf/duration.hpp>

#include "actors/memory_account.hpp"
#include "actors/pipeline_context.hpp"
#include "messages/atoms.hpp"
#include "messages/output_batch.hpp"

namespace txstream {

/// Sends `batch` to `sink` and runs `on_delivered` once every record of it
/// is in Kafka. While it waits for the sink its bytes count as output,
/// which the ingress keeps within the budget by taking no new input.
template <class Self, class OnDelivered>
void send_output(Self* self, const caf::actor& sink, output_batch&& batch,
                 const pipeline_context* ctx, OnDelivered on_delivered) {
  if (ctx->memory != nullptr)
    ctx->memory->count_output(batch);
  self->request(sink, caf::infinite, std::move(batch))
    .then([on_delivered = std::move(on_delivered)](delivered_atom) mutable { on_delivered(); });
}

}  // namespace txstream
