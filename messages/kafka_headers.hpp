// Names and builders of the Kafka headers txstream writes. Pure data: no
// librdkafka include, so every layer can use it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "messages/dead_letter_reason.hpp"

namespace txstream {

/// Header carrying the dead-letter reason code, e.g. "bad_amount".
constexpr std::string_view error_header = "x-txstream-error";
/// Header carrying a human-readable explanation of the reason.
constexpr std::string_view error_detail_header = "x-txstream-error-detail";
/// Header naming where the record came from: "topic/partition/offset".
constexpr std::string_view source_header = "x-txstream-source";
/// Generator ground truth on injected transactions: "<scenario>:<instance>".
constexpr std::string_view fraud_header = "x-txstream-fraud";

/// One Kafka record header.
struct kafka_header {
  std::string key;
  std::string value;
};

inline bool operator==(const kafka_header& a, const kafka_header& b) {
  return a.key == b.key && a.value == b.value;
}

/// The three headers of a dead-letter record, in the order error,
/// error-detail, source.
std::array<kafka_header, 3> dead_letter_headers(dead_letter_reason reason, std::string_view detail,
                                                std::string_view topic, std::int32_t partition,
                                                std::int64_t offset);

/// "topic/partition/offset", the value of `x-txstream-source`.
std::string source_label(std::string_view topic, std::int32_t partition, std::int64_t offset);

/// "<scenario>:<instance>", the value of `x-txstream-fraud`.
std::string fraud_label(std::string_view scenario, std::uint64_t instance);

}  // namespace txstream
