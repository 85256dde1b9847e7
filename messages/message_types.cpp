#include "messages/message_types.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system_config.hpp>

#include "messages/shard_routes.hpp"

namespace txstream {

void add_message_types(caf::actor_system_config& cfg) {
  // The names are part of the wire format between nodes: never rename.
  cfg.add_message_type<transaction>("txstream::transaction")
    .add_message_type<transaction_batch>("txstream::transaction_batch")
    .add_message_type<shard_batch>("txstream::shard_batch")
    .add_message_type<window_aggregate>("txstream::window_aggregate")
    .add_message_type<running_total>("txstream::running_total")
    .add_message_type<anomaly>("txstream::anomaly")
    .add_message_type<dead_letter>("txstream::dead_letter")
    .add_message_type<raw_batch>("txstream::raw_batch")
    .add_message_type<shard_processed>("txstream::shard_processed")
    .add_message_type<shard_ack>("txstream::shard_ack")
    .add_message_type<shard_progress>("txstream::shard_progress")
    .add_message_type<detector_ack>("txstream::detector_ack")
    .add_message_type<partition_resume_point>("txstream::partition_resume_point")
    .add_message_type<partition_restore>("txstream::partition_restore")
    .add_message_type<partition_end>("txstream::partition_end")
    .add_message_type<partition_status>("txstream::partition_status")
    .add_message_type<output_batch>("txstream::output_batch")
    .add_message_type<shard_routes>("txstream::shard_routes")
    .add_message_type<std::vector<caf::actor>>("std::vector<caf::actor>");
}

}  // namespace txstream
