#include "nodes/rate_limiter.hpp"

#include <algorithm>

namespace txstream {

rate_limiter::rate_limiter(std::uint64_t rate, clock::time_point start, clock::duration max_backlog)
  : rate_(rate), start_(start), max_backlog_(max_backlog) {
  // nop
}

rate_limiter::clock::time_point rate_limiter::due(std::uint64_t i) const {
  if (rate_ == 0)
    return start_;
  // Integer nanoseconds: i / rate seconds without floating-point drift.
  // 128-bit so that long runs at high rates cannot overflow.
  auto n = static_cast<unsigned __int128>(i - base_) * 1000000000u / rate_;
  return start_ + std::chrono::nanoseconds(static_cast<std::int64_t>(n));
}

std::uint64_t rate_limiter::available(clock::time_point now, std::uint64_t limit) {
  if (rate_ == 0)
    return limit;
  if (now - next_due() > max_backlog_) {
    // Far behind: forgive the debt so the rate stays smooth afterwards.
    start_ = now;
    base_ = taken_;
  }
  if (now < next_due())
    return 0;
  // Records k with due(k) <= now, i.e. floor(k * 1e9 / rate) <= elapsed,
  // i.e. k <= ((elapsed + 1) * rate - 1) / 1e9: the same floor as due().
  auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(now - start_);
  auto last = (static_cast<unsigned __int128>(elapsed.count()) + 1) * rate_ - 1;
  auto due_count = static_cast<std::uint64_t>(last / 1000000000u) + 1 + base_;
  return std::min(due_count - taken_, limit);
}

}  // namespace txstream
