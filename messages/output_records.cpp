#include "messages/output_records.hpp"

#include <utility>

#include "messages/json_encoder.hpp"
#include "messages/kafka_headers.hpp"

namespace txstream {

namespace {

// Room for a window or total record with ids of typical length: the
// encoder appends ~40 pieces, and an empty string grew (reallocated and
// copied) four or five times on the way to a record's ~250 bytes.
constexpr std::size_t aggregate_record_capacity = 320;

}  // namespace

void append_aggregates(const std::vector<window_aggregate>& windows,
                       const std::vector<running_total>& totals, output_batch& out) {
  out.records.reserve(out.records.size() + windows.size() + totals.size());
  for (const auto& w : windows) {
    auto& r = out.records.emplace_back();
    r.key = w.merchant_id;
    r.value.reserve(aggregate_record_capacity);
    encode_json(w, r.value);
  }
  for (const auto& t : totals) {
    auto& r = out.records.emplace_back();
    r.key = t.merchant_id;
    r.value.reserve(aggregate_record_capacity);
    encode_json(t, r.value);
  }
}

void append_anomalies(const std::vector<anomaly>& found, output_batch& out) {
  out.records.reserve(out.records.size() + found.size());
  for (const auto& a : found) {
    auto& r = out.records.emplace_back();
    r.key = a.user_id;
    encode_json(a, r.value);
  }
}

void append_dead_letter(dead_letter&& d, output_batch& out) {
  auto& r = out.records.emplace_back();
  r.key = std::move(d.key);
  r.value = std::move(d.payload);
  for (auto& h : dead_letter_headers(d.reason, d.detail, d.topic, d.partition, d.offset))
    r.headers.emplace_back(std::move(h.key), std::move(h.value));
}

}  // namespace txstream
