#include "messages/incarnation.hpp"

#include <cstdio>
#include <limits>

namespace txstream {

namespace {

// Decimal digits only (no sign, no spaces), within `max`.
std::optional<std::uint64_t> parse_decimal(std::string_view text, std::uint64_t max) {
  if (text.empty())
    return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (max - digit) / 10)
      return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace

std::string make_incarnation(std::int64_t process_started_ms, std::uint32_t generation) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%013lld-%06lu",
                static_cast<long long>(process_started_ms < 0 ? 0 : process_started_ms),
                static_cast<unsigned long>(generation));
  return buf;
}

std::optional<incarnation_parts> parse_incarnation(std::string_view text) {
  const auto dash = text.find('-');
  if (dash == std::string_view::npos)
    return std::nullopt;
  constexpr auto int64_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  auto started = parse_decimal(text.substr(0, dash), int64_max);
  auto generation = parse_decimal(text.substr(dash + 1), std::numeric_limits<std::uint32_t>::max());
  if (!started || !generation)
    return std::nullopt;
  return incarnation_parts{static_cast<std::int64_t>(*started),
                           static_cast<std::uint32_t>(*generation)};
}

int compare_incarnations(std::string_view a, std::string_view b) {
  const auto pa = parse_incarnation(a);
  const auto pb = parse_incarnation(b);
  if (pa && pb) {
    if (pa->process_started_ms != pb->process_started_ms)
      return pa->process_started_ms < pb->process_started_ms ? -1 : 1;
    if (pa->generation != pb->generation)
      return pa->generation < pb->generation ? -1 : 1;
  } else if (pa || pb) {
    return pa ? 1 : -1;
  }
  // Two spellings of the same numbers are still two incarnations: maps and
  // connections name them by their text.
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace txstream
