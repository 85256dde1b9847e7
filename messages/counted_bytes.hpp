// A share of a shared byte count, held as long as a buffer lives.
#pragma once

#include <atomic>
#include <cstdint>

namespace txstream {

/// Adds `bytes` to a shared total while it lives and takes them off when
/// it is destroyed or released: a buffer that carries one is counted
/// wherever it is (a mailbox, a held list) and uncounted however it ends,
/// also in a pipeline that failed. Moving hands the count on; a copy counts
/// nothing (node-local buffers are moved, never copied).
class counted_bytes {
public:
  counted_bytes() = default;

  counted_bytes(std::atomic<std::int64_t>* total, std::int64_t bytes) noexcept
    : total_(total), bytes_(bytes) {
    if (total_ != nullptr)
      total_->fetch_add(bytes_, std::memory_order_relaxed);
  }

  counted_bytes(const counted_bytes&) noexcept {
    // a copy counts nothing
  }

  counted_bytes& operator=(const counted_bytes& other) noexcept {
    if (this != &other)
      release();
    return *this;
  }

  counted_bytes(counted_bytes&& other) noexcept : total_(other.total_), bytes_(other.bytes_) {
    other.total_ = nullptr;
  }

  counted_bytes& operator=(counted_bytes&& other) noexcept {
    if (this != &other) {
      release();
      total_ = other.total_;
      bytes_ = other.bytes_;
      other.total_ = nullptr;
    }
    return *this;
  }

  ~counted_bytes() {
    release();
  }

  void release() noexcept {
    if (total_ != nullptr)
      total_->fetch_sub(bytes_, std::memory_order_relaxed);
    total_ = nullptr;
  }

private:
  std::atomic<std::int64_t>* total_ = nullptr;
  std::int64_t bytes_ = 0;
};

}  // namespace txstream
