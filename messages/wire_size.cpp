#include "messages/wire_size.hpp"

#include <cstdint>
#include <string>

namespace txstream {

namespace {

/// CAF writes a sequence's (and a string's) length as a varbyte: 7 bits a byte.
std::size_t varbyte_size(std::size_t n) noexcept {
  std::size_t bytes = 1;
  while (n > 0x7f) {
    n >>= 7;
    ++bytes;
  }
  return bytes;
}

std::size_t string_size(const std::string& s) noexcept {
  return varbyte_size(s.size()) + s.size();
}

}  // namespace

std::size_t wire_size(const shard_batch& b) noexcept {
  // partition, sequence, epoch, link_sequence; max_event_time_ms.
  constexpr std::size_t fixed = 4 + 8 + 8 + 8 + 8;
  // amount, event time, source (partition, offset), type.
  constexpr std::size_t record_fixed = 8 + 8 + 4 + 8 + 1;
  constexpr std::size_t run = 4 + 4 + 4;
  std::size_t n = fixed + varbyte_size(b.records.size()) + varbyte_size(b.runs.size())
                  + b.runs.size() * run + b.records.size() * record_fixed;
  for (const auto& r : b.records)
    n += string_size(r.merchant_id) + string_size(r.currency);
  return n;
}

}  // namespace txstream
