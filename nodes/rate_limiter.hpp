// A schedule-based rate limiter: record i is due at start + i / rate, so the
// long-run rate is exact and sleeping never accumulates drift.
#pragma once

#include <chrono>
#include <cstdint>

namespace txstream {

/// Hands out send permits on a fixed schedule. Pure: the caller passes the
/// time, so tests drive it with a fake clock.
class rate_limiter {
public:
  using clock = std::chrono::steady_clock;

  /// `rate` records per second (0 = unlimited), counted from `start`. When
  /// the caller falls behind by more than `max_backlog` (a stalled broker),
  /// the schedule is rebased instead of bursting to catch up.
  rate_limiter(std::uint64_t rate, clock::time_point start,
               clock::duration max_backlog = std::chrono::seconds(1));

  /// Records that may be sent at `now` beyond those taken, at most `limit`.
  std::uint64_t available(clock::time_point now, std::uint64_t limit);

  /// Marks `n` records as sent.
  void take(std::uint64_t n) {
    taken_ += n;
  }

  /// When the next record is due; `start` when unlimited.
  clock::time_point next_due() const {
    return due(taken_);
  }

  /// Records taken so far.
  std::uint64_t taken() const {
    return taken_;
  }

  bool unlimited() const {
    return rate_ == 0;
  }

private:
  clock::time_point due(std::uint64_t i) const;

  std::uint64_t rate_;
  clock::time_point start_;
  clock::duration max_backlog_;
  std::uint64_t base_ = 0;  // records taken before the schedule's start_
  std::uint64_t taken_ = 0;
};

}  // namespace txstream
