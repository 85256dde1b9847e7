// Users of a fraud detector in the order of when they were last known to be
// active: the detector evicts from the front.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>

namespace txstream {

/// (time, slot) entries taken out smallest time first. A partition's event
/// times mostly rise, so most pushes come in order: those are appended to a
/// sorted run and touch only its tail. Only pushes behind the run's newest
/// entry go to a min-heap. (With one heap for all, each push compared with
/// its parent in the middle of a heap of millions of entries, a cache miss
/// per new user that cost ~5-10 of the detector's ~180 ns per record.)
/// Deques: they grow by blocks, where a vector of millions of entries
/// stalled the detector copying itself on each doubling.
class idle_queue {
public:
  struct entry {
    std::int64_t time_ms;
    std::uint32_t slot;
    bool operator>(const entry& other) const {
      return time_ms > other.time_ms;
    }
  };

  void push(std::int64_t time_ms, std::uint32_t slot) {
    if (run_.empty() || run_.back().time_ms <= time_ms) {
      run_.push_back({time_ms, slot});
      return;
    }
    heap_.push_back({time_ms, slot});
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>{});
  }

  bool empty() const {
    return run_.empty() && heap_.empty();
  }

  std::size_t size() const {
    return run_.size() + heap_.size();
  }

  /// Entries that came out of order (held in the heap).
  std::size_t out_of_order() const {
    return heap_.size();
  }

  /// The entry with the smallest time; the queue must not be empty.
  const entry& top() const {
    return from_heap() ? heap_.front() : run_.front();
  }

  /// Removes top().
  void pop() {
    if (from_heap()) {
      std::pop_heap(heap_.begin(), heap_.end(), std::greater<>{});
      heap_.pop_back();
    } else {
      run_.pop_front();
    }
  }

private:
  bool from_heap() const {
    return !heap_.empty() && (run_.empty() || heap_.front().time_ms < run_.front().time_ms);
  }

  std::deque<entry> run_;   // ascending time
  std::deque<entry> heap_;  // min-heap by time
};

}  // namespace txstream
