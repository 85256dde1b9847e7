#include "actors/fraud_detector_actor.hpp"

#include <stdexcept>

#include <caf/all.hpp>

#include "actors/actor_timing.hpp"
#include "actors/alert_batching.hpp"
#include "actors/output_sender.hpp"
#include "messages/atoms.hpp"
#include "messages/inspect.hpp"
#include "messages/output_records.hpp"
#include "messages/transaction_batch.hpp"

namespace txstream {

caf::behavior fraud_detector_actor(fraud_detector_actor_ptr self, caf::actor upstream,
                                   caf::actor sink, const pipeline_context* ctx,
                                   std::int64_t replay_until) {
  self->state.rules = std::make_unique<fraud_detector_state>(ctx->fraud);
  self->state.rules->replay_until(replay_until);
  self->state.probe = actor_probe_for(ctx, "fraud_detector");
  return {
    [=](const transaction_batch& b) {
      auto& st = self->state;
      handler_timing timing{st.probe, self};
      st.found.clear();
      const auto now = ctx->now_ms();
      st.rules->process_batch(b.transactions, now, st.found);
      self->send(upstream, detector_ack{b.partition, b.sequence, false});
      auto step = st.release.begin(detector_ack{b.partition, b.sequence, true});
      auto release = [self, upstream, step] {
        std::vector<detector_ack> ready;
        self->state.release.done(step, ready);
        for (auto& ack : ready)
          self->send(upstream, ack);
      };
      if (st.found.empty()) {
        release();
        return;
      }
      output_batch batch;
      batch.topic = ctx->topics.anomalies.name;
      append_anomalies(st.found, batch);
      batch.may_wait_ms = alert_hold_ms(st.found, now, ctx->pipeline);
      if (ctx->metrics != nullptr)
        for (const auto& a : st.found)
          ctx->metrics->anomalies(a.rule_id);
      // Event-to-anomaly latency is measured when the anomaly is delivered.
      std::vector<std::int64_t> event_times;
      event_times.reserve(st.found.size());
      for (const auto& a : st.found)
        event_times.push_back(a.event_time_ms);
      send_output(self, sink, std::move(batch), ctx, [=] {
        if (ctx->metrics != nullptr) {
          auto delivered = ctx->now_ms();
          for (auto t : event_times)
            ctx->metrics->observe_latency((delivered - t) / 1000.0);
        }
        release();
      });
    },
    [=](crash_atom) { throw std::runtime_error("injected failure"); },
  };
}

}  // namespace txstream
