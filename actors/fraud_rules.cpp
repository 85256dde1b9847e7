#include "actors/fraud_rules.hpp"

#include <algorithm>
#include <cmath>

#include "actors/city_table.hpp"

namespace txstream {

namespace {

anomaly_detail integer_detail(const char* name, std::int64_t value) {
  anomaly_detail d;
  d.name = name;
  d.type = anomaly_detail::kind::integer;
  d.integer = value;
  return d;
}

anomaly_detail money_detail(const char* name, std::int64_t cents) {
  auto d = integer_detail(name, cents);
  d.type = anomaly_detail::kind::money;
  return d;
}

anomaly_detail number_detail(const char* name, double value) {
  anomaly_detail d;
  d.name = name;
  d.type = anomaly_detail::kind::number;
  d.number = value;
  return d;
}

anomaly_detail text_detail(const char* name, std::string_view value) {
  anomaly_detail d;
  d.name = name;
  d.type = anomaly_detail::kind::text;
  d.text = std::string{value};
  return d;
}

void involve(anomaly& a, const recent_txn& t) {
  a.transactions.push_back(anomaly_transaction{t.transaction_id.str(), t.source()});
}

// True when `t` lies in the window of length `window_ms` ending at `now`.
bool in_window(const recent_txn& t, std::int64_t now, std::int64_t window_ms) {
  return now - t.event_time_ms < window_ms;
}

std::string_view city_name(std::int32_t index) {
  return index >= 0 ? city_at(static_cast<std::size_t>(index)).name : std::string_view{"?"};
}

}  // namespace

double excess_score(double value, double threshold) {
  if (!(value > 0))
    return 0;
  return std::clamp((value - threshold) / value, 0.0, 1.0);
}

bool check_high_frequency(const high_frequency_config& cfg, const user_history& h, anomaly& a) {
  const auto& cur = h.recent.back();
  std::int64_t count = 0;
  for (const auto& t : h.recent)
    count += in_window(t, cur.event_time_ms, cfg.window_ms) ? 1 : 0;
  if (count <= cfg.max_count)
    return false;
  a.score = excess_score(static_cast<double>(count), static_cast<double>(cfg.max_count));
  a.details = {integer_detail("count", count), integer_detail("max_count", cfg.max_count),
               integer_detail("window_ms", cfg.window_ms)};
  for (const auto& t : h.recent)
    if (in_window(t, cur.event_time_ms, cfg.window_ms))
      involve(a, t);
  return true;
}

bool check_card_testing(const card_testing_config& cfg, const user_history& h, anomaly& a) {
  const auto& cur = h.recent.back();
  auto is_probe = [&](const recent_txn& t) {
    return t.type() == transaction_type::purchase && t.usd_cents <= cfg.small_amount_cents
           && in_window(t, cur.event_time_ms, cfg.window_ms);
  };
  if (!is_probe(cur))
    return false;
  std::int64_t count = 0;
  std::int64_t total = 0;
  for (const auto& t : h.recent) {
    if (is_probe(t)) {
      ++count;
      total += t.usd_cents;
    }
  }
  if (count < cfg.min_count)
    return false;
  a.score = excess_score(static_cast<double>(count), static_cast<double>(cfg.min_count - 1));
  a.details = {integer_detail("count", count), integer_detail("min_count", cfg.min_count),
               integer_detail("window_ms", cfg.window_ms),
               money_detail("small_amount_usd", cfg.small_amount_cents),
               money_detail("total_usd", total)};
  for (const auto& t : h.recent)
    if (is_probe(t))
      involve(a, t);
  return true;
}

bool check_amount_spike(const amount_spike_config& cfg, const user_history& h, anomaly& a) {
  const auto& cur = h.recent.back();
  if (cur.type() != transaction_type::purchase || cur.is_international()
      || h.baseline_count < cfg.min_history || cur.usd_cents < cfg.min_amount_cents)
    return false;
  auto baseline = std::exp(h.log_baseline);
  auto ratio = static_cast<double>(cur.usd_cents) / baseline;
  if (ratio < cfg.min_ratio)
    return false;
  a.score = excess_score(ratio, cfg.min_ratio);
  a.details = {money_detail("amount_usd", cur.usd_cents),
               money_detail("baseline_usd", std::llround(baseline)), number_detail("ratio", ratio),
               number_detail("min_ratio", cfg.min_ratio),
               integer_detail("history", h.baseline_count)};
  involve(a, cur);
  return true;
}

bool check_impossible_travel(const impossible_travel_config& cfg, const user_history& h,
                             anomaly& a) {
  const auto& cur = h.recent.back();
  const auto* last = h.last_card();
  if (last == nullptr || cur.city < 0 || !is_card_payment(cur.method()))
    return false;
  const auto& prev = *last;
  auto elapsed = cur.event_time_ms - prev.event_time_ms;
  if (elapsed > cfg.lookback_ms)
    return false;
  auto km = great_circle_km(static_cast<std::size_t>(prev.city),
                            static_cast<std::size_t>(cur.city));
  if (km < cfg.min_distance_km)
    return false;
  // Timestamps are seconds-accurate at best: count at least one minute.
  auto hours = static_cast<double>(std::max<std::int64_t>(elapsed, 60'000)) / 3'600'000.0;
  auto speed = km / hours;
  if (speed <= cfg.max_speed_kmh)
    return false;
  a.score = excess_score(speed, cfg.max_speed_kmh);
  a.details = {text_detail("from_city", city_name(prev.city)),
               text_detail("to_city", city_name(cur.city)),
               number_detail("distance_km", km),
               integer_detail("elapsed_ms", elapsed),
               number_detail("speed_kmh", speed),
               number_detail("max_speed_kmh", cfg.max_speed_kmh)};
  involve(a, prev);
  involve(a, cur);
  return true;
}

bool check_international_high(const international_high_config& cfg, const user_history& h,
                              anomaly& a) {
  const auto& cur = h.recent.back();
  if (!cur.is_international() || cur.type() != transaction_type::purchase
      || cur.usd_cents < cfg.min_amount_cents)
    return false;
  a.score = excess_score(static_cast<double>(cur.usd_cents),
                         static_cast<double>(cfg.min_amount_cents));
  a.details = {money_detail("amount_usd", cur.usd_cents),
               money_detail("min_amount_usd", cfg.min_amount_cents),
               text_detail("location", city_name(cur.city))};
  involve(a, cur);
  return true;
}

bool check_refund_abuse(const refund_abuse_config& cfg, const user_history& h, anomaly& a) {
  const auto& cur = h.recent.back();
  if (cur.type() != transaction_type::refund)
    return false;
  std::int64_t refunds = 0;
  std::int64_t refunded = 0;
  std::int64_t purchased = 0;
  for (const auto& t : h.recent) {
    if (!in_window(t, cur.event_time_ms, cfg.window_ms))
      continue;
    if (t.type() == transaction_type::refund) {
      ++refunds;
      refunded += t.usd_cents;
    } else {
      purchased += t.usd_cents;
    }
  }
  if (refunds < cfg.min_refunds)
    return false;
  a.score = excess_score(static_cast<double>(refunds), static_cast<double>(cfg.min_refunds - 1));
  a.details = {integer_detail("refunds", refunds), integer_detail("min_refunds", cfg.min_refunds),
               integer_detail("window_ms", cfg.window_ms), money_detail("refunded_usd", refunded),
               money_detail("purchased_usd", purchased)};
  for (const auto& t : h.recent)
    if (t.type() == transaction_type::refund && in_window(t, cur.event_time_ms, cfg.window_ms))
      involve(a, t);
  return true;
}

void update_amount_baseline(const amount_spike_config& cfg, user_history& h) {
  const auto& cur = h.recent.back();
  if (cur.type() != transaction_type::purchase || cur.is_international()
      || cur.usd_cents < cfg.baseline_floor_cents)
    return;
  auto x = std::log(static_cast<double>(cur.usd_cents));
  ++h.baseline_count;
  // A plain mean until 1/alpha samples, then exponential: a short history is
  // not dominated by its first value.
  auto w = std::max(cfg.alpha, 1.0 / static_cast<double>(h.baseline_count));
  h.log_baseline += w * (x - h.log_baseline);
}

}  // namespace txstream
