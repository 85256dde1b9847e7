#include "monitoring/latency_batch.hpp"

#include <algorithm>

namespace txstream::monitoring {

latency_batch::latency_batch(const std::vector<double>& bounds)
  : bounds_(&bounds), increments_(bounds.size() + 1, 0.0) {
  // nop
}

void latency_batch::observe(double seconds) {
  seconds = std::max(seconds, 0.0);
  // Prometheus buckets are upper-inclusive (le), hence lower_bound.
  auto i = std::lower_bound(bounds_->begin(), bounds_->end(), seconds);
  increments_[static_cast<std::size_t>(i - bounds_->begin())] += 1;
  sum_ += seconds;
  ++count_;
}

void latency_batch::reset() {
  std::fill(increments_.begin(), increments_.end(), 0.0);
  sum_ = 0;
  count_ = 0;
}

}  // namespace txstream::monitoring
