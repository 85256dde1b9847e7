#include "messages/dead_letter_reason.hpp"

namespace txstream {

namespace {

// Indexed by the enum value; keep in declaration order.
constexpr const char* reason_codes[dead_letter_reason_count] = {
  "none",        "malformed_json", "not_object", "missing_field", "wrong_type",
  "empty_field", "bad_amount",     "bad_time",   "bad_enum",      "bad_currency",
  "too_large",   "invalid_utf8",   "late",       "future_time",
};

}  // namespace

const char* to_string(dead_letter_reason x) noexcept {
  auto i = static_cast<std::size_t>(x);
  return i < dead_letter_reason_count ? reason_codes[i] : "unknown";
}

std::optional<dead_letter_reason> dead_letter_reason_from_string(std::string_view code) noexcept {
  for (std::size_t i = 0; i < dead_letter_reason_count; ++i)
    if (code == reason_codes[i])
      return static_cast<dead_letter_reason>(i);
  return std::nullopt;
}

}  // namespace txstream
