// Exact decimal arithmetic for money and time: JSON number text to scaled
// integers (rounded half-even, never through double) and cents to text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace txstream {

/// A JSON number token split into its parts; the digit pointers point into
/// the scanned text, so it lives no longer than that text.
struct json_number {
  bool negative = false;
  const char* int_digits = nullptr;  // at least one digit, no leading zeros
  std::size_t int_len = 0;
  const char* frac_digits = nullptr;  // may be empty
  std::size_t frac_len = 0;
  std::int64_t exponent = 0;  // clamped to +-1e9; larger values mean the same
};

/// Scans one JSON number (RFC 8259 grammar) starting at `first`; returns
/// the position after it, or nullptr if the text there is not a number.
/// Never reads at or past `last`.
const char* scan_json_number(const char* first, const char* last, json_number& out) noexcept;

/// Outcome of scaling a decimal to an integer.
enum class decimal_status : std::uint8_t { ok, negative, overflow };

/// Computes round_half_even(value * 10^scale) exactly into `out`. A negative
/// non-zero value gives `negative` ("-0" is zero); a result beyond int64 gives
/// `overflow`.
decimal_status scale_decimal(const json_number& x, int scale, std::int64_t& out) noexcept;

/// Parses a whole string as one JSON number and scales it like
/// `scale_decimal`; nullopt on bad syntax, negative values or overflow.
std::optional<std::int64_t> parse_scaled(std::string_view text, int scale) noexcept;

/// Appends minor units as an exact decimal with two places: 12345 -> "123.45",
/// -5 -> "-0.05".
void append_cents(std::string& out, std::int64_t cents);

/// Appends a base-10 integer.
void append_int(std::string& out, std::int64_t x);

}  // namespace txstream
