// Per-message metrics of an actor: processing time and mailbox depth.
#pragma once

#include <optional>

#include "actors/pipeline_context.hpp"

namespace txstream {

/// The probe of `actor_type`, or nothing when the context has no metrics
/// (tests). Look it up once per actor, at spawn.
inline std::optional<monitoring::actor_probe>
actor_probe_for(const pipeline_context* ctx, std::string_view actor_type) {
  if (ctx->actor_metrics == nullptr)
    return std::nullopt;
  return ctx->actor_metrics->probe(actor_type);
}

/// Samples the mailbox and times the rest of the handler it is created in.
class handler_timing {
public:
  template <class Self>
  handler_timing(std::optional<monitoring::actor_probe>& probe, Self* self) {
    if (probe) {
      probe->mailbox_depth(self->mailbox().size());
      timer_.emplace(*probe);
    }
  }

private:
  std::optional<monitoring::actor_probe::timer> timer_;
};

} // namespace txstream
