// The six fraud rules as pure checks over one user's recent history.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <absl/container/inlined_vector.h>

#include "actors/fraud_scenarios.hpp"
#include "config/fraud_rules_config.hpp"
#include "messages/anomaly.hpp"
#include "messages/packed_id.hpp"
#include "messages/transaction.hpp"

namespace txstream {

/// What the rules remember of one transaction.
struct recent_txn {
  packed_id transaction_id;  // 24 bytes; a UUID needs no allocation
  source_position source;
  std::int64_t event_time_ms = 0;
  std::int64_t usd_cents = 0;   // amount converted to US cents
  std::int32_t city = -1;       // index in the city table, -1 if unknown
  transaction_type type = transaction_type::purchase;
  payment_method method = payment_method::credit_card;
  bool is_international = false;
};

/// Per rule (indexed by fraud_scenario), the event time before which the
/// rule stays silent for a user. Most users never trigger a rule, so the
/// times take memory (on the heap) only once one has: 8 bytes per user
/// instead of 48.
class rule_cooldowns {
public:
  rule_cooldowns() = default;
  rule_cooldowns(const rule_cooldowns& other)
    : until_(other.until_ ? std::make_unique<times>(*other.until_) : nullptr) {
  }
  rule_cooldowns& operator=(const rule_cooldowns& other) {
    if (this != &other)
      until_ = other.until_ ? std::make_unique<times>(*other.until_) : nullptr;
    return *this;
  }
  rule_cooldowns(rule_cooldowns&&) noexcept = default;
  rule_cooldowns& operator=(rule_cooldowns&&) noexcept = default;

  /// 0 (no cooldown) unless set.
  std::int64_t until(std::size_t rule) const {
    return until_ ? (*until_)[rule] : 0;
  }

  void set(std::size_t rule, std::int64_t until_ms) {
    if (!until_)
      until_ = std::make_unique<times>();
    (*until_)[rule] = until_ms;
  }

private:
  using times = std::array<std::int64_t, fraud_scenario_count>;
  std::unique_ptr<times> until_;
};

/// Everything the detector keeps about one user.
struct user_history {
  /// The user's transactions within the longest rule window, oldest first,
  /// including the one being evaluated.
  /// Inline room for one: most users have one transaction in the window,
  /// and then their history costs no allocation.
  absl::InlinedVector<recent_txn, 1> recent;

  /// amount_spike: exponentially weighted mean of log(usd_cents).
  double log_baseline = 0;
  std::int64_t baseline_count = 0;

  /// impossible_travel: the last card payment in a known city.
  recent_txn last_card;
  bool has_last_card = false;

  /// Per rule: no new anomaly for this user before this time.
  rule_cooldowns cooldowns;

  /// Newest event time seen for the user.
  std::int64_t last_seen_ms = 0;
};

/// The score of a value past its threshold: (value - threshold) / value,
/// clamped to [0, 1]. 0 at the threshold, approaching 1 far beyond it.
double excess_score(double value, double threshold);

// Each check looks at `h` whose newest entry h.recent.back() is the current
// transaction. On a hit it fills a's score, details and transactions (the
// caller fills the rule id, version, user and times) and returns true.

bool check_high_frequency(const high_frequency_config& cfg,
                          const user_history& h, anomaly& a);

bool check_card_testing(const card_testing_config& cfg, const user_history& h,
                        anomaly& a);

/// Uses the baseline before the current transaction is folded into it.
bool check_amount_spike(const amount_spike_config& cfg, const user_history& h,
                        anomaly& a);

/// Uses h.last_card from before the current transaction.
bool check_impossible_travel(const impossible_travel_config& cfg,
                             const user_history& h, anomaly& a);

bool check_international_high(const international_high_config& cfg,
                              const user_history& h, anomaly& a);

bool check_refund_abuse(const refund_abuse_config& cfg, const user_history& h,
                        anomaly& a);

/// Folds the current transaction into the amount baseline when eligible.
void update_amount_baseline(const amount_spike_config& cfg, user_history& h);

/// True for payments that place the user at the transaction's location.
inline bool is_card_payment(payment_method m) {
  return m == payment_method::credit_card || m == payment_method::debit_card;
}

} // namespace txstream
