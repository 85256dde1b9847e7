// Records generated and encoded before a timed run, sent later with their
// event time rewritten to the moment of sending (`txstream generate
// --pregenerate`).
//
// Generating and encoding a record costs the generator ~1 us of CPU; on a
// machine the generator shares with the broker and the node under test, that
// CPU competes with what is being measured. Done ahead, sending costs a copy
// and a 13-digit patch per record, so a latency benchmark measures the
// pipeline rather than its load source.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace txstream {

class pregenerated_input {
public:
  /// One record, as views into the store (valid until the next add()).
  struct record {
    std::string_view key;
    std::string_view payload;
    std::string_view label;  // fraud ground truth; empty for normal traffic
  };

  /// Stores an encoded record. `payload` must hold the field
  /// "transactionTime" as a 13-digit integer (epoch ms from 2001 to 2286);
  /// returns false, storing nothing, when it does not.
  bool add(std::string_view key, std::string_view payload, std::string_view label);

  std::size_t size() const noexcept {
    return entries_.size();
  }

  /// Record `i` with its transactionTime set to `event_time_ms` (13 digits,
  /// as add() requires; other values leave the stored time).
  record at(std::size_t i, std::int64_t event_time_ms);

  /// Bytes held, for the progress line.
  std::size_t bytes() const noexcept {
    return arena_.size() + entries_.size() * sizeof(entry);
  }

  void reserve(std::size_t records, std::size_t bytes_per_record);

private:
  struct entry {
    std::uint64_t offset;  // key, then payload, then label, in arena_
    std::uint32_t payload_size;
    std::uint16_t time_offset;  // first digit of transactionTime in payload
    std::uint8_t key_size;
    std::uint8_t label_size;
  };

  std::string arena_;
  std::vector<entry> entries_;
};

}  // namespace txstream
