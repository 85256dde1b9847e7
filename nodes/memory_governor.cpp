#include "nodes/memory_governor.hpp"

#include <cstdio>

#include <unistd.h>  // sysconf

#include <spdlog/spdlog.h>

namespace txstream {

bool allocator_should_be_tight(bool tight, std::size_t resident, std::size_t budget) {
  if (budget == 0)
    return false;
  if (resident > budget / 8 * 7)
    return true;
  if (resident < budget / 4 * 3)
    return false;
  return tight;
}

std::size_t resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr)
    return 0;
  unsigned long size = 0;
  unsigned long resident = 0;
  const int got = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  if (got != 2)
    return 0;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

memory_governor::memory_governor(std::size_t budget_bytes, std::function<void(bool)> set_tight,
                                 std::chrono::milliseconds period)
  : budget_(budget_bytes), set_tight_(std::move(set_tight)), period_(period) {
  if (budget_ > 0 && set_tight_)
    thread_ = std::thread{[this] { run(); }};
}

memory_governor::~memory_governor() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void memory_governor::run() {
  using clock = std::chrono::steady_clock;
  auto last_warning = clock::time_point{};
  std::unique_lock<std::mutex> lock{mutex_};
  while (!wake_.wait_for(lock, period_, [this] { return stopping_; })) {
    const bool was = tight_.load(std::memory_order_relaxed);
    const auto resident = resident_bytes();
    const bool now = allocator_should_be_tight(was, resident, budget_);
    if (now != was) {
      tight_.store(now, std::memory_order_relaxed);
      set_tight_(now);
    }
    // Buffers are at their limits and freed memory goes straight back:
    // what still exceeds the budget is state the input needs.
    if (now && resident > budget_ && clock::now() - last_warning > std::chrono::minutes(1)) {
      last_warning = clock::now();
      spdlog::warn("memory: resident {} MiB is above the budget of {} MiB with every "
                   "buffer at its limit: the state (open windows, users the fraud "
                   "detectors remember) needs more; raise pipeline.memory_budget_mb",
                   resident >> 20, budget_ >> 20);
    }
  }
}

}  // namespace txstream
