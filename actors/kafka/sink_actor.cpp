#include "actors/kafka/sink_actor.hpp"

#include <algorithm>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "messages/atoms.hpp"
#include "messages/inspect.hpp"
#include "messages/output_batch.hpp"
#include "messages/pipeline_error.hpp"

namespace txstream::kafka {

namespace {

constexpr auto poll_interval = std::chrono::milliseconds(2);

void schedule_poll(sink_actor_ptr self) {
  if (!self->state.polling && !self->state.requests.empty()) {
    self->state.polling = true;
    self->delayed_send(self, poll_interval, poll_atom::value);
  }
}

/// Enqueues the records of request `id` in librdkafka; false (the actor
/// quitting with the reason) when one cannot be.
bool produce(sink_actor_ptr self, const pipeline_context* ctx, const output_batch& batch,
             std::uint64_t id) {
  auto& st = self->state;
  if (!ctx->lease_valid()) {
    // Another node may own these shards by now (docs/cluster.md, "Leases").
    self->quit(make_error(pipeline_errc::lease_expired,
                          "the node's lease on its place in the cluster expired"));
    return false;
  }
  auto* topic = st.out->topic(batch.topic);
  if (topic == nullptr) {
    self->quit(caf::make_error(caf::sec::runtime_error,
                               "kafka produce failed: no handle for topic " + batch.topic));
    return false;
  }
  for (const auto& r : batch.records) {
    auto err = st.out->produce(topic, -1, r.key, r.value, &r.headers,
                               reinterpret_cast<void*>(static_cast<std::uintptr_t>(id)));
    if (!err.empty()) {
      if (ctx->metrics != nullptr) {
        ctx->metrics->produced(batch.topic, static_cast<std::uint64_t>(&r - batch.records.data()));
        ctx->metrics->produce_errors(batch.topic);
      }
      self->quit(caf::make_error(caf::sec::runtime_error, "kafka produce failed: " + err));
      return false;
    }
  }
  // Counted once per batch: the labelled counter lookup takes a lock.
  if (ctx->metrics != nullptr)
    ctx->metrics->produced(batch.topic, batch.records.size());
  return true;
}

/// Sends every held batch, oldest first; a pending hold timer is void.
bool produce_held(sink_actor_ptr self, const pipeline_context* ctx) {
  auto& st = self->state;
  if (st.hold_timer) {
    st.hold_timer = false;
    ++st.hold_generation;
  }
  auto held = std::move(st.held);
  st.held.clear();
  for (const auto& h : held)
    if (!produce(self, ctx, h.batch, h.request))
      return false;
  return true;
}

}  // namespace

sink_actor_state::~sink_actor_state() {
  closing = true;
  // Held records still go out: the producer's destructor below waits for
  // their delivery (nobody is left to answer; their offsets were not
  // committed, so a restart may produce them again: at least once).
  if (out && (ctx_for_held == nullptr || ctx_for_held->lease_valid()))
    for (const auto& h : held)
      if (auto* topic = out->topic(h.batch.topic))
        for (const auto& r : h.batch.records)
          out->produce(topic, -1, r.key, r.value, &r.headers);
  out.reset();
}

caf::behavior sink_actor(sink_actor_ptr self, settings s, std::vector<std::string> topics,
                         const pipeline_context* ctx) {
  self->state.ctx_for_held = ctx;
  s.emplace_back("enable.idempotence", "true");
  s.emplace_back("acks", "all");
  // Java's partitioner, so keys land where Kafka Streams or Java clients
  // would put them.
  s.emplace_back("partitioner", "murmur2_random");
  // Batching for throughput unless the caller chose otherwise (the alert
  // sink sends at once: anomalies are few and latency matters).
  if (std::none_of(s.begin(), s.end(), [](const auto& kv) { return kv.first == "linger.ms"; }))
    s.emplace_back("linger.ms", "5");
  self->state.out = std::make_unique<producer>(s, [self, ctx](const delivery_report& r) {
    auto& st = self->state;
    if (st.closing)
      return;
    auto id = reinterpret_cast<std::uintptr_t>(r.opaque);
    if (!r.ok) {
      if (st.failure.empty())
        st.failure = r.error;
      return;
    }
    auto it = st.requests.find(id);
    if (it == st.requests.end())
      return;
    if (--it->second.remaining == 0) {
      it->second.promise.deliver(delivered_atom::value);
      st.requests.erase(it);
    }
    (void)ctx;
  });
  for (const auto& t : self->state.out->prepare_topics(topics, 5000))
    spdlog::warn("sink: no metadata for topic {} yet; its first records may wait for it", t);
  auto check_failure = [self] {
    if (!self->state.failure.empty())
      self->quit(
        caf::make_error(caf::sec::runtime_error, "kafka delivery failed: " + self->state.failure));
  };
  return {
    [=](output_batch& batch) -> caf::result<delivered_atom> {
      auto& st = self->state;
      if (batch.records.empty())
        return delivered_atom::value;
      auto id = st.next_request++;
      auto promise = self->make_response_promise();
      st.requests.emplace(id, sink_actor_state::pending{batch.records.size(), promise});
      if (batch.may_wait_ms > 0) {
        // The timer fires when the batch with the nearest deadline is due.
        const auto wait = std::chrono::milliseconds(batch.may_wait_ms);
        const auto deadline = std::chrono::steady_clock::now() + wait;
        if (!st.hold_timer || deadline < st.hold_deadline) {
          st.hold_timer = true;
          st.hold_deadline = deadline;
          self->delayed_send(self, wait, flush_atom::value, ++st.hold_generation);
        }
        st.held.push_back({id, std::move(batch)});
        return promise;
      }
      // Held batches first: records keep their order per key.
      if (!produce_held(self, ctx) || !produce(self, ctx, batch, id))
        return promise;
      st.out->poll(0);
      check_failure();
      schedule_poll(self);
      return promise;
    },
    [=](flush_atom, std::uint64_t generation) {
      if (generation != self->state.hold_generation)
        return;  // its batches went out with a batch that could not wait
      if (!produce_held(self, ctx))
        return;
      self->state.out->poll(0);
      check_failure();
      schedule_poll(self);
    },
    [=](poll_atom) {
      self->state.polling = false;
      self->state.out->poll(0);
      check_failure();
      schedule_poll(self);
    },
  };
}

}  // namespace txstream::kafka
