// Output records of the merchant aggregators (contract: docs/output-contracts.md).
#pragma once

#include <cstdint>
#include <string>

namespace txstream {

/// One merchant x currency x tumbling event-time window, emitted once when
/// the window closes. Amounts are minor units; net = purchase - refund.
struct window_aggregate {
  std::string merchant_id;
  std::string currency;
  std::int64_t window_start_ms = 0;  // inclusive
  std::int64_t window_end_ms = 0;    // exclusive
  std::int64_t transaction_count = 0;
  std::int64_t purchase_cents = 0;
  std::int64_t refund_cents = 0;
  std::int64_t min_cents = 0;  // over all amounts in the window, any type
  std::int64_t max_cents = 0;
};

/// Running totals per merchant x currency since the beginning. They fold in
/// whole closed windows only, and remember the last window folded in, so a
/// window re-emitted after a restart is never counted twice.
struct running_total {
  std::string merchant_id;
  std::string currency;
  std::int64_t transaction_count = 0;
  std::int64_t purchase_cents = 0;
  std::int64_t refund_cents = 0;
  std::int64_t as_of_ms = 0;            // event time the totals cover
  std::int64_t last_window_end_ms = 0;  // end of the last window folded in
};

inline bool operator==(const window_aggregate& a, const window_aggregate& b) {
  return a.merchant_id == b.merchant_id && a.currency == b.currency
         && a.window_start_ms == b.window_start_ms && a.window_end_ms == b.window_end_ms
         && a.transaction_count == b.transaction_count && a.purchase_cents == b.purchase_cents
         && a.refund_cents == b.refund_cents && a.min_cents == b.min_cents
         && a.max_cents == b.max_cents;
}

inline bool operator==(const running_total& a, const running_total& b) {
  return a.merchant_id == b.merchant_id && a.currency == b.currency
         && a.transaction_count == b.transaction_count && a.purchase_cents == b.purchase_cents
         && a.refund_cents == b.refund_cents && a.as_of_ms == b.as_of_ms
         && a.last_window_end_ms == b.last_window_end_ms;
}

}  // namespace txstream
