// Recycles raw batches between the ingress and the partition-consumers.
#pragma once

#include <cstddef>
#include <mutex>
#include <vector>

#include "messages/pipeline_messages.hpp"

namespace txstream {

/// A raw batch holds ~0.5 MB of payload bytes. Allocated fresh per batch,
/// that memory came from the kernel each time (page faults were a quarter of
/// the node's faults); recycled, it stays mapped. Thread-safe, bounded.
class raw_batch_pool {
public:
  /// Keeps at most `max_kept` batches of at most `max_kept_bytes` in all
  /// (0: no byte limit).
  explicit raw_batch_pool(std::size_t max_kept = 64, std::size_t max_kept_bytes = 0)
    : max_kept_(max_kept), max_kept_bytes_(max_kept_bytes) {
  }

  /// An empty batch, with the capacity of a returned one when available.
  raw_batch take() {
    std::lock_guard<std::mutex> guard{mutex_};
    if (free_.empty())
      return {};
    raw_batch b = std::move(free_.back());
    free_.pop_back();
    kept_bytes_ -= b.bytes.capacity();
    return b;
  }

  /// Buffers larger than this are freed, not kept: the pool must not pin
  /// the memory of an outsized batch.
  static constexpr std::size_t max_kept_bytes = 8 << 20;

  /// Takes `b` back for reuse (or frees it when the pool is full).
  void give(raw_batch&& b) {
    if (b.bytes.capacity() == 0 || b.bytes.capacity() > max_kept_bytes)
      return;
    b.partition = -1;
    b.bytes.clear();
    b.records.clear();
    b.counted.release();  // kept, not in flight
    std::lock_guard<std::mutex> guard{mutex_};
    if (free_.size() >= max_kept_
        || (max_kept_bytes_ > 0 && kept_bytes_ + b.bytes.capacity() > max_kept_bytes_))
      return;
    kept_bytes_ += b.bytes.capacity();
    free_.push_back(std::move(b));
  }

  /// Bytes of the buffers kept.
  std::size_t kept_bytes() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return kept_bytes_;
  }

  std::size_t kept() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return free_.size();
  }

private:
  mutable std::mutex mutex_;
  std::vector<raw_batch> free_;
  std::size_t max_kept_;
  std::size_t max_kept_bytes_;
  std::size_t kept_bytes_ = 0;
};

}  // namespace txstream
