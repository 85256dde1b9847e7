// CAF 0.17 inspection for every type that crosses actors or nodes. Enums need
// no overload: CAF serialises them as their underlying uint8_t.
#pragma once

#include <string>
#include <type_traits>

#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>

#include "messages/anomaly.hpp"
#include "messages/dead_letter.hpp"
#include "messages/transaction.hpp"
#include "messages/transaction_batch.hpp"
#include "messages/window_aggregate.hpp"
// The pipeline protocol messages, so this one header covers every type.
#include "messages/pipeline_inspect.hpp"

namespace txstream {

// compact_string crosses actors and nodes as a plain string.
template <class Inspector>
typename std::enable_if<Inspector::reads_state, typename Inspector::result_type>::type
inspect(Inspector& f, compact_string& x) {
  auto s = x.str();
  return f(s);
}

template <class Inspector>
typename std::enable_if<Inspector::writes_state, typename Inspector::result_type>::type
inspect(Inspector& f, compact_string& x) {
  std::string s;
  auto store = caf::meta::load_callback([&]() -> caf::error {
    x = s;
    return caf::none;
  });
  return f(s, store);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, source_position& x) {
  return f(caf::meta::type_name("source_position"), x.partition, x.offset);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, transaction& x) {
  return f(caf::meta::type_name("transaction"), x.transaction_id, x.user_id, x.merchant_id,
           x.location, x.currency, x.amount_cents, x.event_time_ms, x.type, x.method,
           x.is_international, x.source);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, transaction_batch& x) {
  return f(caf::meta::type_name("transaction_batch"), x.partition, x.sequence, x.transactions);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_record& x) {
  return f(caf::meta::type_name("shard_record"), x.merchant_id, x.currency, x.amount_cents,
           x.event_time_ms, x.source, x.type);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_run& x) {
  return f(caf::meta::type_name("shard_run"), x.shard, x.begin, x.end);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_batch& x) {
  return f(caf::meta::type_name("shard_batch"), x.partition, x.sequence, x.epoch, x.link_sequence,
           x.records, x.runs, x.max_event_time_ms);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, window_aggregate& x) {
  return f(caf::meta::type_name("window_aggregate"), x.merchant_id, x.currency, x.window_start_ms,
           x.window_end_ms, x.transaction_count, x.purchase_cents, x.refund_cents, x.min_cents,
           x.max_cents);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, running_total& x) {
  return f(caf::meta::type_name("running_total"), x.merchant_id, x.currency, x.transaction_count,
           x.purchase_cents, x.refund_cents, x.as_of_ms, x.last_window_end_ms);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, anomaly_detail& x) {
  return f(caf::meta::type_name("anomaly_detail"), x.name, x.type, x.integer, x.number, x.text);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, anomaly_transaction& x) {
  return f(caf::meta::type_name("anomaly_transaction"), x.transaction_id, x.source);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, anomaly& x) {
  return f(caf::meta::type_name("anomaly"), x.rule_id, x.rule_version, x.user_id, x.event_time_ms,
           x.detected_at_ms, x.score, x.details, x.transactions);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, dead_letter& x) {
  return f(caf::meta::type_name("dead_letter"), x.reason, x.detail, x.topic, x.partition, x.offset,
           x.key, x.payload);
}

}  // namespace txstream
