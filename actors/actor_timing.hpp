// Per-message metrics of an actor: processing time and mailbox depth.
#pragma once

#include <chrono>
#include <optional>

#include "actors/pipeline_context.hpp"

namespace txstream {

/// The probe of `actor_type`, or nothing when the context has no metrics
/// (tests). Look it up once per actor, at spawn.
inline std::optional<monitoring::actor_probe> actor_probe_for(const pipeline_context* ctx,
                                                              std::string_view actor_type) {
  if (ctx->actor_metrics == nullptr)
    return std::nullopt;
  return ctx->actor_metrics->probe(actor_type);
}

/// Samples the mailbox and times the rest of the handler it is created in.
class handler_timing {
public:
  template <class Self>
  handler_timing(std::optional<monitoring::actor_probe>& probe, Self* self)
    : probe_(probe ? &*probe : nullptr) {
    if (probe_ != nullptr) {
      probe_->mailbox_depth(self->mailbox().size());
      start_ = std::chrono::steady_clock::now();
    }
  }

  ~handler_timing() {
    if (probe_ != nullptr)
      probe_->processed(std::chrono::steady_clock::now() - start_);
  }

  handler_timing(const handler_timing&) = delete;
  handler_timing& operator=(const handler_timing&) = delete;

private:
  monitoring::actor_probe* probe_;
  std::chrono::steady_clock::time_point start_{};
};

}  // namespace txstream
