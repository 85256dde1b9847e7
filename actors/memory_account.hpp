// What the node's buffers hold right now, against its memory plan.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "config/memory_budget.hpp"
#include "messages/output_batch.hpp"
#include "messages/pipeline_messages.hpp"

namespace txstream {

/// Bytes of raw batches in the pipeline and of output not yet handed to a
/// producer. Buffers carry their share (counted_bytes), so the totals
/// follow them wherever they are and however they end. Thread-safe; shared
/// by a node's actors through the pipeline context.
class memory_account {
public:
  explicit memory_account(memory_plan plan = {}) : plan_(plan) {
  }

  const memory_plan& plan() const noexcept {
    return plan_;
  }

  /// Counts `b` as in flight until it is released or destroyed.
  void count_in_flight(raw_batch& b) {
    b.counted = counted_bytes{&in_flight_, footprint(b)};
  }

  /// Counts `b` as output until it is released or destroyed.
  void count_output(output_batch& b) {
    b.counted = counted_bytes{&output_, footprint(b)};
  }

  std::int64_t in_flight() const noexcept {
    return in_flight_.load(std::memory_order_relaxed);
  }
  std::int64_t output() const noexcept {
    return output_.load(std::memory_order_relaxed);
  }

  /// Output waiting for a producer fills its half of the output share (the
  /// producers' queues have the other half): take no new input for now.
  bool output_full() const noexcept {
    return plan_.output > 0 && output() > static_cast<std::int64_t>(plan_.output / 2);
  }

  /// Bytes a raw batch holds (its buffer and record index).
  static std::int64_t footprint(const raw_batch& b) {
    return static_cast<std::int64_t>(b.bytes.capacity()
                                     + b.records.capacity() * sizeof(raw_record));
  }

  /// Bytes an output batch holds, about (keys, values, headers).
  static std::int64_t footprint(const output_batch& b) {
    std::size_t bytes = b.records.capacity() * sizeof(output_record);
    for (const auto& r : b.records) {
      bytes += r.key.capacity() + r.value.capacity();
      for (const auto& [k, v] : r.headers)
        bytes += k.size() + v.size();
    }
    return static_cast<std::int64_t>(bytes);
  }

private:
  memory_plan plan_;
  std::atomic<std::int64_t> in_flight_{0};
  std::atomic<std::int64_t> output_{0};
};

}  // namespace txstream
