#include "actors/merchant_aggregator_actor.hpp"

#include <algorithm>
#include <stdexcept>

#include <caf/all.hpp>

#include "actors/actor_timing.hpp"
#include "actors/output_sender.hpp"
#include "messages/atoms.hpp"
#include "messages/inspect.hpp"
#include "messages/output_records.hpp"
#include "messages/transaction_batch.hpp"

namespace txstream {

namespace {

/// Encodes what a step produced and sends it to the sink; releases `owed`
/// upstream once delivered, in step order.
void emit(merchant_aggregator_actor_ptr self, const caf::actor& sink,
          const pipeline_context* ctx,
          merchant_aggregator_actor_state::owed owed) {
  auto& st = self->state;
  output_batch batch;
  batch.topic = ctx->topics.aggregates.name;
  append_aggregates(st.out.windows, st.out.totals, batch);
  if (ctx->metrics != nullptr) {
    ctx->metrics->windows_emitted(st.out.windows.size());
    ctx->metrics->totals_emitted(st.out.totals.size());
    ctx->metrics->watermark(st.shard, st.agg->watermark());
  }
  if (ctx->memory_metrics != nullptr)
    ctx->memory_metrics->windows(st.shard,
                                 static_cast<std::int64_t>(st.agg->open_window_bytes()));
  // Closed windows released (their totals emitted): every partition's hold
  // on this shard may have moved.
  if (st.out.frontier_moved)
    for (const auto& [p, consumer] : st.upstream)
      owed.progress.push_back({st.shard, p, st.agg->open_min_offset(p)});
  auto step = st.release.begin(std::move(owed));
  auto release = [self, step] {
    std::vector<merchant_aggregator_actor_state::owed> ready;
    self->state.release.done(step, ready);
    for (auto& o : ready) {
      for (auto& ack : o.acks)
        if (auto it = self->state.upstream.find(ack.partition);
            it != self->state.upstream.end())
          self->send(it->second, std::move(ack));
      for (auto& pr : o.progress)
        if (auto it = self->state.upstream.find(pr.partition);
            it != self->state.upstream.end())
          self->send(it->second, pr);
    }
  };
  if (batch.records.empty()) {
    release();
    return;
  }
  send_output(self, sink, std::move(batch), ctx, release);
}

} // namespace

caf::behavior merchant_aggregator_actor(merchant_aggregator_actor_ptr self,
                                        std::uint32_t shard, caf::actor sink,
                                        const pipeline_context* ctx,
                                        std::vector<running_total> restored) {
  auto& st = self->state;
  st.shard = shard;
  st.probe = actor_probe_for(ctx, "merchant_aggregator");
  st.agg = std::make_unique<merchant_aggregator_state>(ctx->aggregation);
  for (const auto& t : restored) {
    st.agg->restore_total(t);
    st.restored_closed_through
      = std::max(st.restored_closed_through, t.last_window_end_ms);
  }
  self->delayed_send(self, std::chrono::milliseconds(ctx->pipeline.tick_interval_ms),
                     poll_atom::value);
  return {
    [=](upstream_atom, std::int32_t p, caf::actor consumer,
        partition_restore r) {
      auto& st = self->state;
      st.upstream[p] = consumer;
      partition_checkpoint cp;
      cp.resume_offset = r.resume_offset;
      cp.max_event_time_ms = r.max_event_time_ms;
      cp.last_offset = r.last_offset;
      // Every window of this shard up to the last one folded into a restored
      // total was emitted before: records of those windows are skipped.
      cp.closed_through_ms = st.restored_closed_through;
      st.agg->restore_partition(p, cp, ctx->now_ms());
      st.agg->assign_partition(p, ctx->now_ms());
      // A new consumer of p does not know which of p's records this shard
      // still holds in open windows (its predecessor did): tell it, once
      // the outputs of every earlier step are delivered.
      merchant_aggregator_actor_state::owed owed;
      owed.progress.push_back({st.shard, p, st.agg->open_min_offset(p)});
      st.out.clear();
      emit(self, sink, ctx, std::move(owed));
    },
    [=](const partition_status& s) {
      auto& st = self->state;
      st.out.clear();
      st.agg->on_status(s, ctx->now_ms(), st.out);
      if (!st.out.windows.empty() || st.out.frontier_moved)
        emit(self, sink, ctx, {});
    },
    [=](const shard_batch& b) {
      auto& st = self->state;
      handler_timing timing{st.probe, self};
      if (st.shard == 0 && ++st.batches == ctx->crash_shard_after_batches)
        throw std::runtime_error("injected failure (crash_shard_after_batches)");
      st.out.clear();
      st.agg->add(b, ctx->now_ms(), st.out);
      shard_processed processed;
      processed.shard = st.shard;
      processed.partition = b.partition;
      processed.sequence = b.sequence;
      for (auto i : st.out.late)
        processed.late_offsets.push_back(b.records[i].source.offset);
      if (ctx->metrics != nullptr && !st.out.late.empty())
        ctx->metrics->late(st.out.late.size());
      if (auto it = st.upstream.find(b.partition); it != st.upstream.end())
        self->send(it->second, std::move(processed));
      merchant_aggregator_actor_state::owed owed;
      shard_ack ack;
      ack.shard = st.shard;
      ack.partition = b.partition;
      ack.sequence = b.sequence;
      ack.open_min_offset = st.agg->open_min_offset(b.partition);
      owed.acks.push_back(std::move(ack));
      emit(self, sink, ctx, std::move(owed));
    },
    [=](partition_end e) {
      auto& st = self->state;
      st.out.clear();
      st.agg->finish_partition(e.partition, st.out);
      emit(self, sink, ctx, {});
    },
    [=](flush_atom) {
      auto& st = self->state;
      st.out.clear();
      st.agg->flush_all(st.out);
      merchant_aggregator_actor_state::owed owed;
      // After a flush nothing is open: release every partition.
      for (const auto& [p, consumer] : st.upstream)
        owed.progress.push_back({st.shard, p, no_offset});
      emit(self, sink, ctx, std::move(owed));
    },
    [=](poll_atom) {
      auto& st = self->state;
      st.out.clear();
      st.agg->tick(ctx->now_ms(), st.out);
      // Totals only go out with the release of their windows (frontier_moved).
      if (!st.out.windows.empty() || st.out.frontier_moved)
        emit(self, sink, ctx, {});
      self->delayed_send(self,
                         std::chrono::milliseconds(ctx->pipeline.tick_interval_ms),
                         poll_atom::value);
    },
    [=](crash_atom) {
      // Behaves like a bug in a handler: the actor dies with an error and
      // its supervisor takes over.
      throw std::runtime_error("injected failure");
    },
  };
}

} // namespace txstream
