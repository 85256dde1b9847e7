// Buckets a batch's latencies locally so the histogram is touched once per batch.
#pragma once

#include <cstdint>
#include <vector>

namespace txstream::monitoring {

/// Local, single-threaded histogram accumulator for one batch; hand it to
/// pipeline_probe::observe_latencies(), which adds it with one
/// ObserveMultiple call and resets it for reuse.
class latency_batch {
public:
  /// `bounds` are the histogram's upper bounds; they must outlive this.
  explicit latency_batch(const std::vector<double>& bounds);

  /// Records one latency in seconds; negative values (clock skew) count as 0.
  void observe(double seconds);

  /// Records `output_time_ms - event_time_ms`, both Unix epoch milliseconds.
  void observe_ms(std::int64_t event_time_ms, std::int64_t output_time_ms) {
    observe(static_cast<double>(output_time_ms - event_time_ms) / 1000.0);
  }

  bool empty() const {
    return count_ == 0;
  }

  std::uint64_t count() const {
    return count_;
  }

  /// Non-cumulative counts per bucket; the last one is +Inf.
  const std::vector<double>& increments() const {
    return increments_;
  }

  double sum() const {
    return sum_;
  }

  void reset();

private:
  const std::vector<double>* bounds_;
  std::vector<double> increments_;
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

}  // namespace txstream::monitoring
