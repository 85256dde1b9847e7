#include "actors/merchant_aggregator_actor.hpp"

#include <algorithm>
#include <stdexcept>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/actor_timing.hpp"
#include "actors/output_sender.hpp"
#include "messages/atoms.hpp"
#include "messages/inspect.hpp"
#include "messages/output_records.hpp"
#include "messages/transaction_batch.hpp"

namespace txstream {

namespace {

using host_state = merchant_aggregator_actor_state;

/// What the hosted shards (all, or those in `only`) hold of partition p.
std::vector<shard_hold> holds_of(const host_state& st, std::int32_t p,
                                 const std::vector<std::uint32_t>* only = nullptr) {
  std::vector<shard_hold> holds;
  for (const auto& s : st.shards)
    if (only == nullptr || std::find(only->begin(), only->end(), s.id) != only->end())
      holds.push_back({s.id, s.agg->open_min_offset(p)});
  return holds;
}

/// Moves what the last shard step made into the host's outputs.
void collect(host_state& st, const host_state::shard_slot& slot) {
  st.windows.insert(st.windows.end(), std::make_move_iterator(st.out.windows.begin()),
                    std::make_move_iterator(st.out.windows.end()));
  st.totals.insert(st.totals.end(), std::make_move_iterator(st.out.totals.begin()),
                   std::make_move_iterator(st.out.totals.end()));
  if (st.out.frontier_moved)
    st.moved.push_back(slot.id);
  st.out.clear();
}

/// Encodes what a step produced on all shards and sends it to the sink;
/// releases `owed` upstream once delivered, in step order.
void emit(merchant_aggregator_actor_ptr self, const caf::actor& sink, const pipeline_context* ctx,
          host_state::owed owed) {
  auto& st = self->state;
  output_batch batch;
  batch.topic = ctx->topics.aggregates.name;
  append_aggregates(st.windows, st.totals, batch);
  if (ctx->metrics != nullptr) {
    ctx->metrics->windows_emitted(st.windows.size());
    ctx->metrics->totals_emitted(st.totals.size());
    for (const auto& s : st.shards)
      ctx->metrics->watermark(s.id, s.agg->watermark());
  }
  if (ctx->memory_metrics != nullptr) {
    std::int64_t count = 0;
    std::int64_t bytes = 0;
    for (const auto& s : st.shards) {
      count += static_cast<std::int64_t>(s.agg->open_windows());
      bytes += static_cast<std::int64_t>(s.agg->open_window_bytes());
    }
    ctx->memory_metrics->windows(st.host, count, bytes);
  }
  // Closed windows released (their totals emitted): every partition's hold
  // on those shards may have moved.
  if (!st.moved.empty())
    for (const auto& [p, up] : st.upstreams)
      owed.progress.push_back({p, st.epoch, holds_of(st, p, &st.moved)});
  st.windows.clear();
  st.totals.clear();
  st.moved.clear();
  auto step = st.release.begin(std::move(owed));
  auto release = [self, step] {
    std::vector<host_state::owed> ready;
    self->state.release.done(step, ready);
    for (auto& o : ready) {
      for (auto& ack : o.acks)
        if (auto it = self->state.upstreams.find(ack.partition); it != self->state.upstreams.end())
          self->send(it->second.consumer, std::move(ack));
      for (auto& pr : o.progress)
        if (auto it = self->state.upstreams.find(pr.partition); it != self->state.upstreams.end())
          self->send(it->second.consumer, std::move(pr));
    }
  };
  if (batch.records.empty()) {
    release();
    return;
  }
  send_output(self, sink, std::move(batch), ctx, release);
}

/// The upstream of partition p if the current message comes from its
/// consumer; nullptr for a message of a consumer since replaced (the
/// partition moved to another consumer, maybe on another node, whose
/// messages may overtake the old one's).
host_state::upstream* current_upstream(merchant_aggregator_actor_ptr self, std::int32_t p) {
  auto it = self->state.upstreams.find(p);
  if (it == self->state.upstreams.end()
      || self->current_sender() != caf::actor_cast<caf::strong_actor_ptr>(it->second.consumer))
    return nullptr;
  return &it->second;
}

/// What becomes of a message about partition `p` from a sender that is
/// not its upstream now: one that registered here and still runs may be
/// again (when the upstream goes down), so its message waits in the
/// mailbox; anyone else's is dropped.
caf::result<void> not_from_upstream(merchant_aggregator_actor_ptr self, std::int32_t p) {
  auto it = self->state.registrations.find(p);
  if (it == self->state.registrations.end())
    return caf::unit;
  const auto& sender = self->current_sender();
  const bool registered = std::any_of(it->second.begin(), it->second.end(), [&](const auto& r) {
    return caf::actor_cast<caf::strong_actor_ptr>(r.consumer) == sender;
  });
  return registered ? caf::result<void>{caf::skip} : caf::result<void>{caf::unit};
}

/// Makes `consumer` the upstream of partition `p`, resuming at `r`.
void become_upstream(merchant_aggregator_actor_ptr self, const caf::actor& sink,
                     const pipeline_context* ctx, std::int32_t p, const caf::actor& consumer,
                     const partition_restore& r) {
  auto& st = self->state;
  st.upstreams[p] = host_state::upstream{consumer, 1, false};
  const auto now = ctx->now_ms();
  for (auto& s : st.shards) {
    partition_checkpoint cp;
    cp.resume_offset = r.resume_offset;
    cp.max_event_time_ms = r.max_event_time_ms;
    cp.last_offset = r.last_offset;
    s.agg->restore_partition(p, cp, now);
    s.agg->assign_partition(p, now);
  }
  // A new consumer of p does not know which of p's records these shards
  // still hold in open windows (its predecessor did): tell it, once the
  // outputs of every earlier step are delivered.
  host_state::owed owed;
  owed.progress.push_back({p, st.epoch, holds_of(st, p)});
  emit(self, sink, ctx, std::move(owed));
}

/// Runs `step` on every hosted shard, collecting what it makes.
template <class Step>
void each_shard(host_state& st, Step step) {
  for (auto& slot : st.shards) {
    st.out.clear();
    step(*slot.agg);
    collect(st, slot);
  }
}

}  // namespace

caf::behavior merchant_aggregator_actor(merchant_aggregator_actor_ptr self, std::uint32_t host,
                                        caf::actor sink, const pipeline_context* ctx,
                                        std::vector<hosted_shard> shards, std::uint64_t epoch,
                                        std::int32_t input_partitions) {
  auto& st = self->state;
  st.host = host;
  st.epoch = epoch;
  st.input_partitions = input_partitions;
  const auto started = ctx->now_ms();
  st.probe = actor_probe_for(ctx, "merchant_aggregator");
  std::sort(shards.begin(), shards.end(),
            [](const auto& a, const auto& b) { return a.shard < b.shard; });
  st.slot_of.assign(ctx->aggregation.shards, -1);
  for (auto& h : shards) {
    host_state::shard_slot slot;
    slot.id = h.shard;
    slot.agg = std::make_unique<merchant_aggregator_state>(ctx->aggregation);
    // Each restored total says which of its series' windows were emitted.
    // The newest of them says nothing of the other series: an emission's
    // records spread over the topic's partitions, and a crash may leave
    // some of them undelivered.
    for (const auto& t : h.totals)
      slot.agg->restore_total(t);
    for (std::int32_t p = 0; p < input_partitions; ++p)
      slot.agg->assign_partition(p, started);
    st.slot_of[h.shard] = static_cast<int>(st.shards.size());
    st.shards.push_back(std::move(slot));
  }
  self->delayed_send(self, std::chrono::milliseconds(ctx->pipeline.tick_interval_ms),
                     poll_atom::value);
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& st = self->state;
    for (auto& [p, regs] : st.registrations) {
      auto gone = std::find_if(regs.begin(), regs.end(),
                               [&](const auto& r) { return r.consumer.address() == dm.source; });
      if (gone == regs.end())
        continue;
      regs.erase(gone);
      auto up = st.upstreams.find(p);
      if (up == st.upstreams.end() || up->second.consumer.address() != dm.source || regs.empty())
        continue;
      spdlog::warn("aggregator host {}: the consumer of partition {} that registered last is "
                   "gone; the one that registered before it still runs and feeds it again",
                   st.host, p);
      const auto next = regs.back();
      become_upstream(self, sink, ctx, p, next.consumer, next.restore);
    }
  });
  return {
    [=](upstream_atom, std::int32_t p, caf::actor consumer, partition_restore r) {
      self->monitor(consumer);
      self->state.registrations[p].push_back({consumer, r});
      become_upstream(self, sink, ctx, p, consumer, r);
    },
    [=](const shard_batch& b) -> caf::result<void> {
      auto& st = self->state;
      if (b.epoch > st.epoch)
        return caf::skip;  // routed by a shard map this host has not seen yet
      if (b.epoch < st.epoch)
        return caf::unit;  // its sender is being replaced; it re-sends
      handler_timing timing{st.probe, self};
      auto* upstream = current_upstream(self, b.partition);
      if (upstream == nullptr)
        return not_from_upstream(self, b.partition);
      if (upstream->broken)
        return caf::unit;
      auto up = st.upstreams.find(b.partition);
      if (b.link_sequence != up->second.next_link_sequence) {
        // A lost batch: processing past it would count what follows
        // without what came before. The consumer's commit point stays
        // behind the gap, and its replacement sends everything again.
        up->second.broken = true;
        spdlog::error("aggregator host {}: partition {} sent link batch {}, expected "
                      "{}; its batches are ignored until it is replaced",
                      st.host, b.partition, b.link_sequence, up->second.next_link_sequence);
        return caf::unit;
      }
      ++up->second.next_link_sequence;
      up->second.ended = false;  // the input went on after all
      for (const auto& r : b.runs)
        if (r.shard >= st.slot_of.size() || st.slot_of[r.shard] < 0) {
          // Routed here by the same shard map that placed the shard
          // elsewhere: a bug; its records must not vanish silently.
          up->second.broken = true;
          spdlog::error("aggregator host {}: partition {} sent records of shard {}, "
                        "which is not hosted here at epoch {}",
                        st.host, b.partition, r.shard, st.epoch);
          return caf::unit;
        }
      if (st.host == 0 && ++st.batches == ctx->crash_shard_after_batches)
        throw std::runtime_error("injected failure (crash_shard_after_batches)");
      const auto now = ctx->now_ms();
      st.late_offsets.clear();
      std::size_t run = 0;
      for (auto& slot : st.shards) {
        st.out.clear();
        while (run < b.runs.size() && b.runs[run].shard < slot.id)
          ++run;  // not hosted here (cannot happen at one epoch)
        if (run < b.runs.size() && b.runs[run].shard == slot.id) {
          const auto& r = b.runs[run];
          const auto* first = b.records.data() + r.begin;
          slot.agg->add(b.partition, first, r.end - r.begin, b.max_event_time_ms, now, st.out);
          if (ctx->metrics != nullptr)
            ctx->metrics->shard_records(slot.id, r.end - r.begin);
          for (auto i : st.out.late)
            st.late_offsets.push_back(first[i].source.offset);
        } else {
          slot.agg->on_progress(b.partition, b.max_event_time_ms, now, st.out);
        }
        collect(st, slot);
      }
      std::sort(st.late_offsets.begin(), st.late_offsets.end());
      if (ctx->metrics != nullptr && !st.late_offsets.empty())
        ctx->metrics->late(st.late_offsets.size());
      self->send(up->second.consumer,
                 shard_processed{b.partition, b.sequence, st.epoch, st.late_offsets});
      host_state::owed owed;
      owed.acks.push_back({b.partition, b.sequence, st.epoch, holds_of(st, b.partition)});
      emit(self, sink, ctx, std::move(owed));
      return caf::unit;
    },
    [=](const partition_status& s) -> caf::result<void> {
      auto& st = self->state;
      if (current_upstream(self, s.partition) == nullptr)
        return not_from_upstream(self, s.partition);
      const auto now = ctx->now_ms();
      each_shard(st, [&](merchant_aggregator_state& agg) { agg.on_status(s, now, st.out); });
      if (!st.windows.empty() || !st.moved.empty())
        emit(self, sink, ctx, {});
      return caf::unit;
    },
    [=](partition_end e) -> caf::result<void> {
      auto& st = self->state;
      auto* up = current_upstream(self, e.partition);
      if (up == nullptr)
        return not_from_upstream(self, e.partition);
      up->ended = true;
      each_shard(
        st, [&](merchant_aggregator_state& agg) { agg.finish_partition(e.partition, st.out); });
      bool all_ended = std::all_of(st.upstreams.begin(), st.upstreams.end(),
                                   [](const auto& kv) { return kv.second.ended; });
      for (std::int32_t p = 0; p < st.input_partitions && all_ended; ++p)
        all_ended = st.upstreams.count(p) > 0;
      if (!all_ended) {
        emit(self, sink, ctx, {});
        return caf::unit;
      }
      // Every partition feeding this host ended: nothing can come for an
      // open window any more.
      each_shard(st, [&](merchant_aggregator_state& agg) { agg.flush_all(st.out); });
      st.moved.clear();
      host_state::owed owed;
      // After a flush nothing is open: release every partition.
      for (const auto& [p, up] : st.upstreams) {
        shard_progress pr{p, st.epoch, {}};
        for (const auto& s : st.shards)
          pr.holds.push_back({s.id, no_offset});
        owed.progress.push_back(std::move(pr));
      }
      emit(self, sink, ctx, std::move(owed));
      return caf::unit;
    },
    [=](poll_atom) {
      auto& st = self->state;
      const auto now = ctx->now_ms();
      each_shard(st, [&](merchant_aggregator_state& agg) { agg.tick(now, st.out); });
      // Totals only go out with the release of their windows (moved).
      if (!st.windows.empty() || !st.moved.empty())
        emit(self, sink, ctx, {});
      self->delayed_send(self, std::chrono::milliseconds(ctx->pipeline.tick_interval_ms),
                         poll_atom::value);
    },
    [=](crash_atom) {
      // Behaves like a bug in a handler: the actor dies with an error and
      // its supervisor takes over.
      throw std::runtime_error("injected failure");
    },
  };
}

}  // namespace txstream
