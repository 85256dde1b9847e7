// CAF 0.17 inspection of the pipeline's protocol messages
// (messages/pipeline_messages.hpp, messages/output_batch.hpp).
#pragma once

#include <caf/meta/type_name.hpp>

#include "messages/output_batch.hpp"
#include "messages/pipeline_messages.hpp"

namespace txstream {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, raw_record& x) {
  return f(caf::meta::type_name("raw_record"), x.offset, x.timestamp_ms, x.key_pos, x.key_len,
           x.value_pos, x.value_len);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, raw_batch& x) {
  return f(caf::meta::type_name("raw_batch"), x.partition, x.bytes, x.records);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_processed& x) {
  return f(caf::meta::type_name("shard_processed"), x.partition, x.sequence, x.epoch,
           x.late_offsets);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_hold& x) {
  return f(caf::meta::type_name("shard_hold"), x.shard, x.open_min_offset);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_ack& x) {
  return f(caf::meta::type_name("shard_ack"), x.partition, x.sequence, x.epoch, x.holds);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_progress& x) {
  return f(caf::meta::type_name("shard_progress"), x.partition, x.epoch, x.holds);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, detector_ack& x) {
  return f(caf::meta::type_name("detector_ack"), x.partition, x.sequence, x.delivered);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, partition_resume_point& x) {
  return f(caf::meta::type_name("partition_resume_point"), x.offset, x.max_event_time_ms,
           x.detector_from);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, partition_restore& x) {
  return f(caf::meta::type_name("partition_restore"), x.resume_offset, x.max_event_time_ms,
           x.last_offset, x.detector_from);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, partition_end& x) {
  return f(caf::meta::type_name("partition_end"), x.partition);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, partition_status& x) {
  return f(caf::meta::type_name("partition_status"), x.partition, x.max_event_time_ms, x.idle);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, output_record& x) {
  return f(caf::meta::type_name("output_record"), x.key, x.value, x.headers);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, output_batch& x) {
  return f(caf::meta::type_name("output_batch"), x.topic, x.records, x.may_wait_ms);
}

}  // namespace txstream
