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

/// What the rules remember of one transaction: 56 bytes, since the detector
/// keeps one per user of the last two hours (millions), where each byte per
/// user is a megabyte of fresh memory, faulted in, to drain 2 M records.
struct recent_txn {
  packed_id transaction_id;  // 24 bytes; a UUID needs no allocation
  std::int64_t offset = -1;  // source offset, in partition
  std::int64_t event_time_ms = 0;
  std::int64_t usd_cents = 0;   // amount converted to US cents
  std::int32_t partition = -1;  // source partition
  std::int16_t city = -1;       // index in the city table, -1 if unknown
  std::uint8_t type_ : 1;       // transaction_type
  std::uint8_t method_ : 2;     // payment_method
  std::uint8_t international_ : 1;

  recent_txn() : type_(0), method_(0), international_(0) {
  }

  transaction_type type() const {
    return static_cast<transaction_type>(type_);
  }
  payment_method method() const {
    return static_cast<payment_method>(method_);
  }
  bool is_international() const {
    return international_ != 0;
  }
  source_position source() const {
    return {partition, offset};
  }

  /// Everything but the amount and city from `t`.
  void take_from(const transaction& t) {
    transaction_id.assign(t.transaction_id.view());
    offset = t.source.offset;
    partition = t.source.partition;
    event_time_ms = t.event_time_ms;
    type_ = static_cast<std::uint8_t>(t.type) & 1u;
    method_ = static_cast<std::uint8_t>(t.method) & 3u;
    international_ = t.is_international ? 1 : 0;
  }
};
static_assert(sizeof(recent_txn) == 56, "recent_txn grew: see its comment");
static_assert(static_cast<int>(transaction_type::refund) < 2
                && static_cast<int>(payment_method::bank_transfer) < 4,
              "recent_txn's bit fields are too narrow for the enums");

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
class user_history {
public:
  /// The user's transactions within the longest rule window, oldest first,
  /// including the one being evaluated.
  /// Inline room for one: most users have one transaction in the window,
  /// and then their history costs no allocation.
  absl::InlinedVector<recent_txn, 1> recent;

  /// amount_spike: exponentially weighted mean of log(usd_cents).
  double log_baseline = 0;

  /// Per rule: no new anomaly for this user before this time.
  rule_cooldowns cooldowns;

  /// Newest event time seen for the user.
  std::int64_t last_seen_ms = 0;

  /// amount_spike: purchases folded into log_baseline. (Last of the public
  /// fields: it shares 8 bytes with last_card_at_.)
  std::int32_t baseline_count = 0;

  /// impossible_travel: the last card payment in a known city, or null.
  const recent_txn* last_card() const {
    if (last_card_at_ >= 0)
      return &recent[static_cast<std::size_t>(last_card_at_)];
    return spilled_card_.get();
  }

  /// The newest entry of `recent` becomes the last card payment.
  void newest_is_last_card() {
    last_card_at_ = static_cast<std::int32_t>(recent.size()) - 1;
    spilled_card_.reset();
  }

  /// Drops the `n` oldest entries of `recent`. The last card payment is
  /// usually one of them only by reference; it is copied out (rare: it must
  /// have aged out of the window or past the history cap) when dropped.
  void drop_oldest(std::size_t n) {
    if (n == 0)
      return;
    if (last_card_at_ >= 0) {
      if (static_cast<std::size_t>(last_card_at_) < n) {
        spilled_card_ = std::make_unique<recent_txn>(
          recent[static_cast<std::size_t>(last_card_at_)]);
        last_card_at_ = -1;
      } else {
        last_card_at_ -= static_cast<std::int32_t>(n);
      }
    }
    recent.erase(recent.begin(), recent.begin() + static_cast<std::ptrdiff_t>(n));
  }

  /// Back to a user without history, keeping the capacity of `recent`.
  void reset() {
    recent.clear();
    log_baseline = 0;
    baseline_count = 0;
    cooldowns = rule_cooldowns{};
    last_seen_ms = 0;
    last_card_at_ = -1;
    spilled_card_.reset();
  }

private:
  // The last card payment by index into `recent` when it is there (the
  // common case: no copy of it), else spilled_card_ holds it.
  std::int32_t last_card_at_ = -1;
  std::unique_ptr<recent_txn> spilled_card_;
};

/// The score of a value past its threshold: (value - threshold) / value,
/// clamped to [0, 1]. 0 at the threshold, approaching 1 far beyond it.
double excess_score(double value, double threshold);

// Each check looks at `h` whose newest entry h.recent.back() is the current
// transaction. On a hit it fills a's score, details and transactions (the
// caller fills the rule id, version, user and times) and returns true; on a
// miss it leaves `a` untouched, so the caller may reuse one scratch anomaly.

bool check_high_frequency(const high_frequency_config& cfg, const user_history& h, anomaly& a);

bool check_card_testing(const card_testing_config& cfg, const user_history& h, anomaly& a);

/// Uses the baseline before the current transaction is folded into it.
bool check_amount_spike(const amount_spike_config& cfg, const user_history& h, anomaly& a);

/// Uses h.last_card() from before the current transaction.
bool check_impossible_travel(const impossible_travel_config& cfg, const user_history& h,
                             anomaly& a);

bool check_international_high(const international_high_config& cfg, const user_history& h,
                              anomaly& a);

bool check_refund_abuse(const refund_abuse_config& cfg, const user_history& h, anomaly& a);

/// Folds the current transaction into the amount baseline when eligible.
void update_amount_baseline(const amount_spike_config& cfg, user_history& h);

/// True for payments that place the user at the transaction's location.
inline bool is_card_payment(payment_method m) {
  return m == payment_method::credit_card || m == payment_method::debit_card;
}

}  // namespace txstream
