// Kafka payload -> transaction: a single-pass JSON scanner for the flat
// reference schema that never throws, never reads past the payload and needs
// no padding. Records in the canonical layout (what txstream's encoder and
// compact producers write) take a straight-line fast path first.
// Contract and reasons: docs/output-contracts.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "messages/dead_letter_reason.hpp"
#include "messages/transaction.hpp"

namespace txstream {

/// The fields of the wire schema, in schema order.
enum class transaction_field : std::uint8_t {
  none,
  transaction_id,
  user_id,
  amount,
  transaction_time,
  merchant_id,
  transaction_type,
  location,
  payment_method,
  is_international,
  currency,
};

/// The JSON key of a field ("amount", "transactionTime"); "" for none.
const char* to_string(transaction_field x) noexcept;

/// Outcome of one decode: `none` or the reason, the field at fault and the
/// byte offset where the problem was found.
struct decode_result {
  dead_letter_reason reason = dead_letter_reason::none;
  transaction_field field = transaction_field::none;
  std::uint32_t offset = 0;
  const char* what = "";  // static text, e.g. "negative amount"

  bool ok() const noexcept {
    return reason == dead_letter_reason::none;
  }
};

/// Human-readable detail for the `x-txstream-error-detail` header, e.g.
/// `amount: negative amount (byte 57)`.
std::string describe(const decode_result& x);

/// Size limits; anything beyond them is `too_large`.
struct decoder_limits {
  std::size_t max_payload = 64 * 1024;  // bytes of the whole record
  std::size_t max_string = 128;         // decoded bytes of one id or location
  std::size_t max_depth = 32;           // nesting of unknown extra fields
};

/// Decodes Kafka payloads into transactions. Reusable: decoding into the same
/// `transaction` again reuses its string capacity, so the hot path does not
/// allocate. Stateless apart from its limits; one per thread or actor.
///
/// Rules: keys in any order, unknown extra fields skipped (but validated),
/// a known key twice is `malformed_json`. Errors that make the text invalid
/// JSON (malformed_json, invalid_utf8, nesting too_large) win over field
/// errors; among field errors the first in the text wins; missing fields
/// are reported last, in schema order. `out.source` is never touched; on
/// failure the other fields of `out` are unspecified.
class transaction_decoder {
public:
  transaction_decoder() = default;

  explicit transaction_decoder(decoder_limits limits) noexcept : limits_(limits) {
    // nop
  }

  decode_result decode(std::string_view payload, transaction& out) const noexcept;

  /// decode() without its fast path for the canonical layout (keys in
  /// schema order, no whitespace, plain strings): the general parser alone,
  /// which decode() falls back to. Same results; for differential tests.
  decode_result decode_general(std::string_view payload, transaction& out) const noexcept;

  const decoder_limits& limits() const noexcept {
    return limits_;
  }

private:
  decoder_limits limits_;
};

}  // namespace txstream
