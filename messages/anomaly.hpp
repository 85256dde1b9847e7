// Output records of the fraud detectors (contract: docs/output-contracts.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "messages/transaction.hpp"

namespace txstream {

/// One value that made a rule fire, e.g. {"count", 12} or {"amount", 950000
/// cents}. The kind decides how the encoder writes it.
struct anomaly_detail {
  enum class kind : std::uint8_t { integer, money, number, text };
  std::string name;
  kind type = kind::integer;
  std::int64_t integer = 0;  // integer, or minor units for money
  double number = 0;         // e.g. km/h, a ratio
  std::string text;
};

/// A transaction that took part in an anomaly.
struct anomaly_transaction {
  std::string transaction_id;
  source_position source;
};

struct anomaly {
  std::string rule_id;
  std::int32_t rule_version = 1;
  std::string user_id;
  std::int64_t event_time_ms = 0;   // event time of the triggering transaction
  std::int64_t detected_at_ms = 0;  // wall clock when the rule fired
  double score = 0;                 // 0..1, how far past the threshold
  std::vector<anomaly_detail> details;
  std::vector<anomaly_transaction> transactions;
};

inline bool operator==(const anomaly_detail& a, const anomaly_detail& b) {
  return a.name == b.name && a.type == b.type && a.integer == b.integer && a.number == b.number
         && a.text == b.text;
}

inline bool operator==(const anomaly_transaction& a, const anomaly_transaction& b) {
  return a.transaction_id == b.transaction_id && a.source == b.source;
}

inline bool operator==(const anomaly& a, const anomaly& b) {
  return a.rule_id == b.rule_id && a.rule_version == b.rule_version && a.user_id == b.user_id
         && a.event_time_ms == b.event_time_ms && a.detected_at_ms == b.detected_at_ms
         && a.score == b.score && a.details == b.details && a.transactions == b.transactions;
}

}  // namespace txstream
