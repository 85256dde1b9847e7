// The fraud-detector actor of one partition, over fraud_detector_state.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/fraud_detector_state.hpp"
#include "actors/ordered_release.hpp"
#include "actors/pipeline_context.hpp"
#include "messages/anomaly.hpp"
#include "messages/pipeline_messages.hpp"

namespace txstream {

struct fraud_detector_actor_state {
  explicit fraud_detector_actor_state(caf::local_actor*) {
  }
  std::unique_ptr<fraud_detector_state> rules;
  ordered_release<detector_ack> release;
  std::vector<anomaly> found;
  std::optional<monitoring::actor_probe> probe;
  static inline const char* name = "fraud_detector";
};

using fraud_detector_actor_ptr = caf::stateful_actor<fraud_detector_actor_state>*;

/// Detects anomalies in the transaction batches of one partition; acks each
/// batch to `upstream` once its anomalies are delivered. Transactions below
/// `replay_until` only rebuild history (fraud_detector_state::replay_until).
caf::behavior fraud_detector_actor(fraud_detector_actor_ptr self, caf::actor upstream,
                                   caf::actor sink, const pipeline_context* ctx,
                                   std::int64_t replay_until = -1);

}  // namespace txstream
