#include "actors/kafka/sink_actor.hpp"

#include <algorithm>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "messages/atoms.hpp"
#include "messages/inspect.hpp"
#include "messages/output_batch.hpp"

namespace txstream::kafka {

namespace {

constexpr auto poll_interval = std::chrono::milliseconds(2);

void schedule_poll(sink_actor_ptr self) {
  if (!self->state.polling && !self->state.requests.empty()) {
    self->state.polling = true;
    self->delayed_send(self, poll_interval, poll_atom::value);
  }
}

} // namespace

caf::behavior sink_actor(sink_actor_ptr self, settings s,
                         std::vector<std::string> topics,
                         const pipeline_context* ctx) {
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
    (void) ctx;
  });
  for (const auto& t : self->state.out->prepare_topics(topics, 5000))
    spdlog::warn("sink: no metadata for topic {} yet; its first records may wait for it", t);
  auto check_failure = [self] {
    if (!self->state.failure.empty())
      self->quit(caf::make_error(caf::sec::runtime_error,
                                 "kafka delivery failed: " + self->state.failure));
  };
  return {
    [=](output_batch& batch) -> caf::result<delivered_atom> {
      auto& st = self->state;
      if (batch.records.empty())
        return delivered_atom::value;
      auto* topic = st.out->topic(batch.topic);
      if (topic == nullptr) {
        auto err = caf::make_error(caf::sec::runtime_error,
                                   "kafka produce failed: no handle for topic " + batch.topic);
        self->quit(err);
        return err;
      }
      auto id = st.next_request++;
      auto promise = self->make_response_promise();
      st.requests.emplace(id, sink_actor_state::pending{batch.records.size(), promise});
      for (const auto& r : batch.records) {
        auto err = st.out->produce(topic, -1, r.key, r.value, &r.headers,
                                   reinterpret_cast<void*>(static_cast<std::uintptr_t>(id)));
        if (!err.empty()) {
          if (ctx->metrics != nullptr) {
            ctx->metrics->produced(batch.topic, static_cast<std::uint64_t>(
                                                  &r - batch.records.data()));
            ctx->metrics->produce_errors(batch.topic);
          }
          self->quit(caf::make_error(caf::sec::runtime_error,
                                     "kafka produce failed: " + err));
          return promise;
        }
      }
      // Counted once per batch: the labelled counter lookup takes a lock.
      if (ctx->metrics != nullptr)
        ctx->metrics->produced(batch.topic, batch.records.size());
      st.out->poll(0);
      check_failure();
      schedule_poll(self);
      return promise;
    },
    [=](poll_atom) {
      self->state.polling = false;
      self->state.out->poll(0);
      check_failure();
      schedule_poll(self);
    },
  };
}

} // namespace txstream::kafka
