#include "actors/partition_consumer_actor.hpp"

#include <algorithm>
#include <chrono>

#include <caf/all.hpp>

#include "actors/actor_timing.hpp"
#include "actors/fraud_detector_actor.hpp"
#include "actors/output_sender.hpp"
#include "messages/atoms.hpp"
#include "messages/inspect.hpp"
#include "messages/output_records.hpp"
#include "messages/wire_size.hpp"

namespace txstream {

namespace {

/// Batches waiting only for delivery count 1/N against the in-flight limit.
constexpr std::size_t delivery_backlog_factor = 8;

/// Tells the ingress the new commit point and applies backpressure.
void report_progress(partition_consumer_actor_ptr self, const caf::actor& ingress,
                     const pipeline_context* ctx) {
  auto& st = self->state;
  auto point = st.logic->commit_point();
  if (point.offset > st.last_commit) {
    st.last_commit = point.offset;
    self->send(ingress, commit_atom::value, st.logic->partition(), point.offset,
               encode_commit_metadata(point));
  }
  // Flow control: unprocessed batches hold memory and CPU work; batches
  // waiting only for delivery are cheap, but must not pile up without bound
  // when Kafka is slow, so they count at a fraction.
  const auto in_flight = st.logic->in_flight();
  const auto load = std::max(st.logic->unprocessed(), in_flight / delivery_backlog_factor);
  st.load->queued.store(load, std::memory_order_release);
  st.load->routed.store(st.logic->next_sequence() - 1, std::memory_order_release);
  if (in_flight == 0 && st.last_in_flight > 0)
    st.load->settled_at_ns.store(std::chrono::steady_clock::now().time_since_epoch().count(),
                                 std::memory_order_release);
  st.last_in_flight = in_flight;
  if (ctx->metrics != nullptr)
    ctx->metrics->in_flight_batches(static_cast<std::int64_t>(in_flight));
}

/// Sends dead letters of batch `sequence` to the sink and counts them off
/// once delivered.
void send_dead_letters(partition_consumer_actor_ptr self, const caf::actor& sink,
                       const caf::actor& ingress, const pipeline_context* ctx,
                       std::uint64_t sequence, std::vector<txstream::dead_letter> dead) {
  if (dead.empty())
    return;
  output_batch batch;
  batch.topic = ctx->topics.deadletter.name;
  batch.records.reserve(dead.size());
  for (auto& d : dead) {
    if (ctx->metrics != nullptr)
      ctx->metrics->dead_lettered(to_string(d.reason));
    append_dead_letter(std::move(d), batch);
  }
  const auto n = batch.records.size();
  self->state.logic->dead_letters_sent(sequence, n);
  send_output(self, sink, std::move(batch), ctx, [=] {
    self->state.logic->dead_letters_delivered(sequence, n);
    report_progress(self, ingress, ctx);
  });
}

/// Finds the link of each host on another node (docs/cluster.md, "Links").
void find_links(partition_consumer_actor_ptr self, const pipeline_context* ctx) {
  auto& st = self->state;
  st.host_links.assign(st.hosts.size(), nullptr);
  if (ctx->links == nullptr)
    return;
  for (std::size_t h = 0; h < st.hosts.size(); ++h) {
    const auto node = st.hosts[h].node();
    if (node == self->node())
      continue;
    auto* link = ctx->links->find(to_string(node));
    st.host_links[h] = link;
    if (link != nullptr
        && std::none_of(st.node_links.begin(), st.node_links.end(),
                        [&](const auto& x) { return x.first == node; }))
      st.node_links.emplace_back(node, link);
  }
}

/// Counts the sub-batches of batch `sequence` that go to other nodes.
void count_remote_sends(partition_consumer_actor_ptr self, std::uint64_t sequence) {
  auto& st = self->state;
  const auto& routed = st.routed;
  std::uint32_t remote = 0;
  for (std::size_t i = 0; i < routed.hosts.size(); ++i)
    if (auto* link = st.host_links[routed.hosts[i]]) {
      link->sent(routed.per_host[i].records.size(), wire_size(routed.per_host[i]));
      ++remote;
    }
  if (remote > 0)
    st.remote_sends.push_back({sequence, std::chrono::steady_clock::now(), remote});
}

/// A host answered batch `sequence`: if it is on another node, its link's
/// round trip.
void count_remote_answer(partition_consumer_actor_ptr self, std::uint64_t sequence) {
  auto& st = self->state;
  const auto& sender = self->current_sender();
  if (sender == nullptr)
    return;
  auto link = std::find_if(st.node_links.begin(), st.node_links.end(),
                           [&](const auto& x) { return x.first == sender->node(); });
  if (link == st.node_links.end())
    return;
  auto sent = std::find_if(st.remote_sends.begin(), st.remote_sends.end(),
                           [&](const auto& x) { return x.sequence == sequence; });
  if (sent == st.remote_sends.end())
    return;
  link->second->answered(std::chrono::steady_clock::now() - sent->at);
  if (--sent->unanswered == 0)
    st.remote_sends.erase(sent);
}

}  // namespace

caf::behavior partition_consumer_actor(partition_consumer_actor_ptr self, std::int32_t partition,
                                       partition_restore restore, shard_routes routes,
                                       std::vector<caf::actor> hosts, caf::actor sink,
                                       caf::actor alert_sink, caf::actor ingress,
                                       std::shared_ptr<partition_load> load,
                                       const pipeline_context* ctx) {
  auto& st = self->state;
  const partition_resume_point resume{restore.resume_offset, restore.max_event_time_ms,
                                      restore.detector_from};
  st.load = std::move(load);
  st.probe = actor_probe_for(ctx, "partition_consumer");
  st.logic = std::make_unique<partition_consumer_state>(
    partition, ctx->topics.transactions.name, ctx->aggregation, std::move(routes), resume,
    ctx->pipeline.max_future_ms, ctx->fraud.replay_ms);
  st.logic->recycle_into(ctx->raw_batches);
  st.last_commit = resume.offset;
  st.hosts = std::move(hosts);
  find_links(self, ctx);
  // Registered by us, not by the ingress: messages of one sender arrive in
  // order, so every host knows where we resume before our first batch.
  for (const auto& host : st.hosts)
    self->send(host, upstream_atom::value, partition, caf::actor{self}, restore);
  // Same partition, same node: the detector lives and dies with us. What it
  // fires on records below the resume offset was delivered before.
  st.detector = ctx->detectors_on_own_threads
                  ? self->spawn<caf::linked + caf::detached>(fraud_detector_actor, caf::actor{self},
                                                             alert_sink, ctx, resume.offset)
                  : self->spawn<caf::linked>(fraud_detector_actor, caf::actor{self}, alert_sink,
                                             ctx, resume.offset);
  return {
    [=](raw_batch& raw) {
      auto& st = self->state;
      handler_timing timing{st.probe, self};
      if (ctx->metrics != nullptr)
        ctx->metrics->consumed(partition, raw.records.size());
      const auto sequence = st.logic->next_sequence();
      st.logic->route(std::move(raw), true, st.routed);
      auto& routed = st.routed;
      if (ctx->metrics != nullptr)
        ctx->metrics->decoded(routed.valid.transactions.size());
      if (!st.node_links.empty())
        count_remote_sends(self, sequence);
      for (size_t i = 0; i < routed.hosts.size(); ++i)
        self->send(st.hosts[routed.hosts[i]], std::move(routed.per_host[i]));
      // Hosts without records of this batch still follow the partition's
      // event time, a few times a second.
      st.behind.clear();
      st.logic->hosts_behind(ctx->now_ms(), ctx->pipeline.tick_interval_ms, st.behind);
      for (auto h : st.behind)
        self->send(st.hosts[h], partition_status{partition, st.logic->max_event_time(), false});
      self->send(st.detector, std::move(routed.valid));
      send_dead_letters(self, sink, ingress, ctx, sequence, std::move(routed.dead));
      report_progress(self, ingress, ctx);
    },
    [=](const shard_processed& p) {
      if (!self->state.node_links.empty())
        count_remote_answer(self, p.sequence);
      auto dead = self->state.logic->on_shard_processed(p);
      send_dead_letters(self, sink, ingress, ctx, p.sequence, std::move(dead));
      report_progress(self, ingress, ctx);
    },
    [=](const shard_ack& ack) {
      self->state.logic->on_shard_ack(ack);
      report_progress(self, ingress, ctx);
    },
    [=](const shard_progress& p) {
      self->state.logic->on_shard_progress(p);
      report_progress(self, ingress, ctx);
    },
    [=](const detector_ack& ack) {
      if (ack.delivered)
        self->state.logic->on_detector_ack(ack.sequence);
      else
        self->state.logic->on_detector_processed(ack.sequence);
      report_progress(self, ingress, ctx);
    },
    [=](idle_atom, bool idle) {
      auto& st = self->state;
      if (idle == st.idle)
        return;
      st.idle = idle;
      for (const auto& host : st.hosts)
        self->send(host, partition_status{partition, st.logic->max_event_time(), idle});
      st.logic->all_hosts_told(ctx->now_ms());
    },
    [=](end_atom) {
      // After every batch of ours (one sender, in order): the hosts close
      // the windows once every partition they hear from has ended.
      for (const auto& host : self->state.hosts)
        self->send(host, partition_end{partition});
    },
    [=](crash_atom) { throw std::runtime_error("injected failure"); },
  };
}

}  // namespace txstream
