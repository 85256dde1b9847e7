#include "messages/decimal.hpp"

#include <charconv>  // std::to_chars for integers
#include <limits>

namespace txstream {

namespace {

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

constexpr std::int64_t exponent_clamp = 1'000'000'000;

}  // namespace

const char* scan_json_number(const char* first, const char* last, json_number& out) noexcept {
  const char* p = first;
  out = json_number{};
  if (p < last && *p == '-') {
    out.negative = true;
    ++p;
  }
  if (p >= last || !is_digit(*p))
    return nullptr;
  out.int_digits = p;
  if (*p == '0') {
    ++p;
  } else {
    while (p < last && is_digit(*p))
      ++p;
  }
  out.int_len = static_cast<std::size_t>(p - out.int_digits);
  out.frac_digits = p;
  if (p < last && *p == '.') {
    ++p;
    out.frac_digits = p;
    while (p < last && is_digit(*p))
      ++p;
    out.frac_len = static_cast<std::size_t>(p - out.frac_digits);
    if (out.frac_len == 0)
      return nullptr;
  }
  if (p < last && (*p == 'e' || *p == 'E')) {
    ++p;
    bool negative_exponent = false;
    if (p < last && (*p == '+' || *p == '-')) {
      negative_exponent = *p == '-';
      ++p;
    }
    if (p >= last || !is_digit(*p))
      return nullptr;
    std::int64_t e = 0;
    while (p < last && is_digit(*p)) {
      if (e < exponent_clamp)
        e = e * 10 + (*p - '0');
      ++p;
    }
    if (e > exponent_clamp)
      e = exponent_clamp;
    out.exponent = negative_exponent ? -e : e;
  }
  return p;
}

decimal_status scale_decimal(const json_number& x, int scale, std::int64_t& out) noexcept {
  // Fast path for what producers send: no sign, no exponent, at most
  // `scale` fraction digits and at most 18 digits in all (so no overflow
  // and no rounding), e.g. "12.34" at scale 2 or epoch milliseconds at 0.
  if (!x.negative && x.exponent == 0 && scale >= 0 && x.frac_len <= static_cast<std::size_t>(scale)
      && x.int_len + static_cast<std::size_t>(scale) <= 18) {
    std::uint64_t acc = 0;
    for (std::size_t i = 0; i < x.int_len; ++i)
      acc = acc * 10 + static_cast<unsigned>(x.int_digits[i] - '0');
    for (std::size_t i = 0; i < x.frac_len; ++i)
      acc = acc * 10 + static_cast<unsigned>(x.frac_digits[i] - '0');
    for (auto k = x.frac_len; k < static_cast<std::size_t>(scale); ++k)
      acc *= 10;
    out = static_cast<std::int64_t>(acc);
    return decimal_status::ok;
  }
  // Digit i of the concatenated int+frac digits has weight 10^(p - 1 - i) in
  // target units, so the first p digits form the integer result.
  const auto int_len = static_cast<std::int64_t>(x.int_len);
  const auto total = int_len + static_cast<std::int64_t>(x.frac_len);
  const std::int64_t p = int_len + x.exponent + scale;
  auto digit = [&](std::int64_t i) -> unsigned {
    return static_cast<unsigned>(i < int_len ? x.int_digits[i] - '0'
                                             : x.frac_digits[i - int_len] - '0');
  };
  if (x.negative) {
    for (std::int64_t i = 0; i < total; ++i)
      if (digit(i) != 0)
        return decimal_status::negative;
  }
  std::uint64_t acc = 0;
  const std::int64_t whole = p < total ? p : total;
  for (std::int64_t i = 0; i < whole; ++i) {
    if (__builtin_mul_overflow(acc, 10u, &acc) || __builtin_add_overflow(acc, digit(i), &acc))
      return decimal_status::overflow;
  }
  // Padding zeros when the exponent reaches past the last digit.
  for (std::int64_t k = total; k < p && acc != 0; ++k)
    if (__builtin_mul_overflow(acc, 10u, &acc))
      return decimal_status::overflow;
  constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (acc > max)
    return decimal_status::overflow;
  if (p >= 0 && p < total) {
    unsigned round_digit = digit(p);
    bool sticky = false;
    for (std::int64_t i = p + 1; i < total && !sticky; ++i)
      sticky = digit(i) != 0;
    if (round_digit > 5 || (round_digit == 5 && (sticky || (acc & 1u) != 0)))
      ++acc;  // cannot wrap: acc <= INT64_MAX here
  }
  if (acc > max)
    return decimal_status::overflow;
  out = static_cast<std::int64_t>(acc);
  return decimal_status::ok;
}

std::optional<std::int64_t> parse_scaled(std::string_view text, int scale) noexcept {
  json_number n;
  const char* last = text.data() + text.size();
  if (scan_json_number(text.data(), last, n) != last)
    return std::nullopt;
  std::int64_t out = 0;
  if (scale_decimal(n, scale, out) != decimal_status::ok)
    return std::nullopt;
  return out;
}

void append_int(std::string& out, std::int64_t x) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), x);
  out.append(buf, res.ptr);
}

void append_cents(std::string& out, std::int64_t cents) {
  // Unsigned magnitude: negating INT64_MIN as int64 would overflow.
  std::uint64_t mag = cents < 0 ? 0u - static_cast<std::uint64_t>(cents)
                                : static_cast<std::uint64_t>(cents);
  char buf[32];
  char* end = buf + sizeof(buf);
  char* p = end;
  auto frac = static_cast<unsigned>(mag % 100);
  *--p = static_cast<char>('0' + frac % 10);
  *--p = static_cast<char>('0' + frac / 10);
  *--p = '.';
  mag /= 100;
  do {
    *--p = static_cast<char>('0' + mag % 10);
    mag /= 10;
  } while (mag != 0);
  if (cents < 0)
    *--p = '-';
  out.append(p, end);
}

}  // namespace txstream
