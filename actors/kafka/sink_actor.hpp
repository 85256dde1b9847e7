// The node's Kafka sink: one idempotent producer owned by an actor; answers
// each output_batch once all its records are delivered.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/response_promise.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/kafka/producer.hpp"
#include "actors/pipeline_context.hpp"
#include "messages/output_batch.hpp"

namespace txstream::kafka {

struct sink_actor_state {
  explicit sink_actor_state(caf::local_actor*) {
  }
  /// Flushes what is queued while the rest of the state is still alive:
  /// the producer's destructor serves delivery callbacks that touch it.
  ~sink_actor_state();
  struct pending {
    std::size_t remaining = 0;
    caf::response_promise promise;
  };
  std::unordered_map<std::uint64_t, pending> requests;
  /// Batches that may wait (output_batch::may_wait_ms), in arrival order,
  /// with their request ids; sent together when the earliest deadline
  /// among them passes or a batch that may not wait arrives.
  struct held_batch {
    std::uint64_t request = 0;
    output_batch batch;
  };
  std::vector<held_batch> held;
  /// The timer that sends the held batches: when it fires, and its
  /// generation (a timer of an older one finds its batches gone).
  bool hold_timer = false;
  std::chrono::steady_clock::time_point hold_deadline;
  std::uint64_t hold_generation = 0;
  std::uint64_t next_request = 1;
  std::string failure;  // first failed delivery; fatal
  bool polling = false;
  bool closing = false;                            // in the destructor: nobody to answer any more
  const pipeline_context* ctx_for_held = nullptr;  // the lease, for held batches
  std::unique_ptr<producer> out;
  static inline const char* name = "kafka_sink";
};

using sink_actor_ptr = caf::stateful_actor<sink_actor_state>*;

/// `settings` must name bootstrap.servers; idempotence and acks=all are
/// added. A batch that may wait is held up to its may_wait_ms; when the
/// earliest such deadline passes, or a batch that may not wait arrives,
/// every held batch goes out in one go: records enqueued together share one
/// or a few produce requests even without linger. A record that cannot be
/// delivered ends the actor with an error, so its supervisor restarts the
/// pipeline from committed offsets.
/// `topics`, the topics it will write, are described at start, so the first
/// outputs do not wait for librdkafka to discover them.
caf::behavior sink_actor(sink_actor_ptr self, settings s, std::vector<std::string> topics,
                         const pipeline_context* ctx);

}  // namespace txstream::kafka
