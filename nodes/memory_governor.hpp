// Keeps the allocator's retained memory inside the node's memory budget.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>

namespace txstream {

/// Whether freed memory should go back to the operating system at once
/// (tight) rather than after the allocator's usual delay: tight above 7/8
/// of the budget, relaxed again below 3/4 (hysteresis, so a process near
/// the line does not flap).
bool allocator_should_be_tight(bool tight, std::size_t resident_bytes, std::size_t budget_bytes);

/// The process's resident memory now, from /proc/self/statm (0 if unknown).
std::size_t resident_bytes();

/// Watches the process's resident memory a few times a second and switches
/// the allocator between keeping freed pages for a while (fast: a pipeline
/// that frees on one thread what it allocates on another would otherwise
/// fault the same pages in again and again) and returning them at once
/// (what keeps a node near its budget inside it).
class memory_governor {
public:
  /// `set_tight(true)` makes the allocator return freed memory at once.
  memory_governor(std::size_t budget_bytes, std::function<void(bool)> set_tight,
                  std::chrono::milliseconds period = std::chrono::milliseconds(50));
  ~memory_governor();

  memory_governor(const memory_governor&) = delete;
  memory_governor& operator=(const memory_governor&) = delete;

  bool tight() const noexcept {
    return tight_.load(std::memory_order_relaxed);
  }

private:
  void run();

  std::size_t budget_;
  std::function<void(bool)> set_tight_;
  std::chrono::milliseconds period_;
  std::atomic<bool> tight_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace txstream
