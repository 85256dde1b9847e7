// Epoch-aligned tumbling event-time windows (docs/windows-and-watermarks.md).
#pragma once

#include <cassert>
#include <cstdint>
#include <limits>

namespace txstream {

/// "No event time yet": below every real event time.
inline constexpr std::int64_t no_event_time = std::numeric_limits<std::int64_t>::min();

/// Start of the window of length `length_ms` holding `event_time_ms`:
/// floor(event_time / length) * length, also for negative times.
constexpr std::int64_t window_start_of(std::int64_t event_time_ms,
                                       std::int64_t length_ms) noexcept {
  // C++ division truncates toward zero; step down one window for negative
  // times that are not on a boundary.
  std::int64_t q = event_time_ms / length_ms;
  if (event_time_ms % length_ms != 0 && event_time_ms < 0)
    --q;
  return q * length_ms;
}

/// a - b, saturating at the int64 minimum (watermarks of tiny event times).
constexpr std::int64_t saturating_sub(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t r = 0;
  if (__builtin_sub_overflow(a, b, &r))
    return std::numeric_limits<std::int64_t>::min();
  return r;
}

}  // namespace txstream
