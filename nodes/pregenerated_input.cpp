#include "nodes/pregenerated_input.hpp"

#include <limits>

namespace txstream {

namespace {

constexpr std::string_view time_key = "\"transactionTime\":";
constexpr std::size_t time_digits = 13;

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

}  // namespace

void pregenerated_input::reserve(std::size_t records, std::size_t bytes_per_record) {
  entries_.reserve(records);
  arena_.reserve(records * bytes_per_record);
}

bool pregenerated_input::add(std::string_view key, std::string_view payload,
                             std::string_view label) {
  auto at = payload.find(time_key);
  if (at == std::string_view::npos)
    return false;
  auto digits = at + time_key.size();
  if (digits + time_digits > payload.size() || digits > std::numeric_limits<std::uint16_t>::max()
      || payload.size() > std::numeric_limits<std::uint32_t>::max()
      || key.size() > std::numeric_limits<std::uint8_t>::max()
      || label.size() > std::numeric_limits<std::uint8_t>::max())
    return false;
  for (std::size_t i = 0; i < time_digits; ++i)
    if (!is_digit(payload[digits + i]))
      return false;
  // Exactly 13 digits: the next byte ends the number.
  if (digits + time_digits < payload.size() && is_digit(payload[digits + time_digits]))
    return false;
  entry e;
  e.offset = arena_.size();
  e.payload_size = static_cast<std::uint32_t>(payload.size());
  e.time_offset = static_cast<std::uint16_t>(digits);
  e.key_size = static_cast<std::uint8_t>(key.size());
  e.label_size = static_cast<std::uint8_t>(label.size());
  arena_.append(key);
  arena_.append(payload);
  arena_.append(label);
  entries_.push_back(e);
  return true;
}

pregenerated_input::record pregenerated_input::at(std::size_t i, std::int64_t event_time_ms) {
  const auto& e = entries_[i];
  char* key = arena_.data() + e.offset;
  char* payload = key + e.key_size;
  char* label = payload + e.payload_size;
  if (event_time_ms >= 1'000'000'000'000 && event_time_ms <= 9'999'999'999'999) {
    auto v = static_cast<std::uint64_t>(event_time_ms);
    for (std::size_t d = time_digits; d-- > 0;) {
      payload[e.time_offset + d] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
  }
  return {{key, e.key_size}, {payload, e.payload_size}, {label, e.label_size}};
}

}  // namespace txstream
