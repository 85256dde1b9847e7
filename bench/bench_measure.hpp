// What the one-core benchmarks share: the calling thread's CPU clock (on a
// shared machine wall time also counts waiting for a CPU) and the median of
// repetitions.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include <time.h>  // clock_gettime(CLOCK_THREAD_CPUTIME_ID)

namespace txstream::bench {

/// CPU time of the calling thread, in nanoseconds.
inline std::int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

/// The median of `v` (the upper one of an even count).
inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace txstream::bench
