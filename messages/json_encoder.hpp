// JSON writers for everything txstream emits; each appends to a caller's
// reused buffer. Formats: docs/output-contracts.md.
#pragma once

#include <string>
#include <string_view>

#include "messages/anomaly.hpp"
#include "messages/transaction.hpp"
#include "messages/window_aggregate.hpp"

namespace txstream {

/// The canonical wire schema: camelCase keys in schema order, amount with
/// two decimals, transactionTime in epoch ms, isInternational a boolean.
void encode_json(const transaction& x, std::string& out);

/// `{"type":"window",...}` on `transaction_aggregates`.
void encode_json(const window_aggregate& x, std::string& out);

/// `{"type":"total",...}` on `transaction_aggregates`.
void encode_json(const running_total& x, std::string& out);

/// One record on `transaction_anomalies`.
void encode_json(const anomaly& x, std::string& out);

/// Appends `s` as a quoted JSON string. Quotes, backslashes and control
/// characters are escaped; invalid UTF-8 bytes become U+FFFD, so the output
/// is always valid JSON.
void append_json_string(std::string& out, std::string_view s);

/// Appends a finite double in shortest round-trip form; NaN and infinities
/// become `null`.
void append_json_number(std::string& out, double x);

/// Convenience for tests and tools: the encoding of `x` as a new string.
template <class T>
std::string to_json(const T& x) {
  std::string out;
  encode_json(x, out);
  return out;
}

}  // namespace txstream
