// Thresholds of the fraud detector's rules (actors/fraud_detector_state).
// docs/fraud-rules.md explains each rule and how its defaults were chosen.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace txstream {

// All windows and cooldowns are event time in milliseconds. All money
// thresholds are US dollar cents; amounts in other currencies are converted
// with the city table's reference rates before comparison.

/// More than `max_count` transactions within `window_ms`.
struct high_frequency_config {
  bool enabled = true;
  std::int32_t version = 1;
  std::int64_t max_count = 7;
  std::int64_t window_ms = 60'000;
  std::int64_t cooldown_ms = 10 * 60'000;
};

/// At least `min_count` purchases of at most `small_amount_cents` within
/// `window_ms`.
struct card_testing_config {
  bool enabled = true;
  std::int32_t version = 1;
  std::int64_t small_amount_cents = 200;
  std::int64_t min_count = 5;
  std::int64_t window_ms = 5 * 60'000;
  std::int64_t cooldown_ms = 30 * 60'000;
};

/// A domestic purchase of at least `min_ratio` times the user's baseline (the
/// geometric mean of past purchases, exponentially weighted with `alpha`)
/// once the baseline holds `min_history` purchases. Purchases below
/// `baseline_floor_cents` never enter the baseline (probes, not spending).
struct amount_spike_config {
  bool enabled = true;
  std::int32_t version = 1;
  double min_ratio = 20.0;
  std::int64_t min_history = 5;
  double alpha = 0.2;
  std::int64_t min_amount_cents = 25'000;
  std::int64_t baseline_floor_cents = 500;
  std::int64_t cooldown_ms = 60 * 60'000;
};

/// Two consecutive card payments (credit or debit card) in known cities at
/// least `min_distance_km` apart, at most `lookback_ms` apart in event time,
/// implying a speed above `max_speed_kmh`. Remote payments (paypal, bank
/// transfer) are located at the merchant, not the user, and are skipped.
struct impossible_travel_config {
  bool enabled = true;
  std::int32_t version = 1;
  double max_speed_kmh = 900.0;
  double min_distance_km = 500.0;
  std::int64_t lookback_ms = 2 * 60 * 60'000;
  std::int64_t cooldown_ms = 30 * 60'000;
};

/// An international purchase of at least `min_amount_cents`.
struct international_high_config {
  bool enabled = true;
  std::int32_t version = 1;
  std::int64_t min_amount_cents = 200'000;
  std::int64_t cooldown_ms = 10 * 60'000;
};

/// At least `min_refunds` refunds within `window_ms`.
struct refund_abuse_config {
  bool enabled = true;
  std::int32_t version = 1;
  std::int64_t min_refunds = 6;
  std::int64_t window_ms = 45 * 60'000;
  std::int64_t cooldown_ms = 60 * 60'000;
};

/// All rules of one fraud detector plus its memory bounds.
struct fraud_rules_config {
  high_frequency_config high_frequency;
  card_testing_config card_testing;
  amount_spike_config amount_spike;
  impossible_travel_config impossible_travel;
  international_high_config international_high;
  refund_abuse_config refund_abuse;

  /// Most transactions kept per user; bounds memory under extreme bursts.
  std::size_t max_history_per_user = 256;

  /// Extra idle time before a user is evicted, to tolerate event-time skew
  /// between users of one partition.
  std::int64_t eviction_slack_ms = 5 * 60'000;

  /// How much event time of its partition a restarted detector re-reads to
  /// rebuild its users' history (0: none, it starts empty). The default is
  /// the longest look-back of the rules (impossible_travel's 2 h), so that a
  /// restart or a move neither misses nor invents an anomaly.
  std::int64_t replay_ms = 2 * 60 * 60'000;

  /// The longest window any rule looks back over: users idle for longer (plus
  /// the slack) carry no state that a rule could still use.
  std::int64_t retention_ms() const {
    return std::max({high_frequency.window_ms, card_testing.window_ms,
                     impossible_travel.lookback_ms, refund_abuse.window_ms});
  }
};

}  // namespace txstream
