// Why a record went to the dead-letter topic; the code travels in the
// `x-txstream-error` header (contract: docs/output-contracts.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace txstream {

/// Reasons a record is dead-lettered. The numeric values and the snake_case
/// codes are stable: both are persisted (headers, metrics labels, CAF).
enum class dead_letter_reason : std::uint8_t {
  none = 0,        // not an error
  malformed_json,  // not valid JSON: syntax, bad escape, control char, trailing bytes
  not_object,      // valid JSON, but the top-level value is not an object
  missing_field,   // a required field is absent
  wrong_type,      // a field has the wrong JSON type
  empty_field,     // an id, location or enum string is empty
  bad_amount,      // amount negative, NaN/Inf, beyond int64 cents, or a string
  bad_time,        // transactionTime not a positive epoch before year 3000
  bad_enum,        // transactionType or paymentMethod not a known value
  bad_currency,    // currency not three upper-case ASCII letters
  too_large,       // payload, string or nesting beyond the configured limits
  invalid_utf8,    // a string is not valid UTF-8
  late,            // event time behind the watermark plus allowed lateness
  future_time,     // event time too far ahead of the record's arrival in Kafka
};

/// Number of enumerators; for tables indexed by reason.
constexpr std::size_t dead_letter_reason_count = 14;

/// The stable snake_case code, e.g. "bad_amount".
const char* to_string(dead_letter_reason x) noexcept;

/// Parses a code produced by `to_string`.
std::optional<dead_letter_reason> dead_letter_reason_from_string(std::string_view code) noexcept;

}  // namespace txstream
