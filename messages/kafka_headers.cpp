#include "messages/kafka_headers.hpp"

namespace txstream {

std::array<kafka_header, 3> dead_letter_headers(dead_letter_reason reason, std::string_view detail,
                                                std::string_view topic, std::int32_t partition,
                                                std::int64_t offset) {
  return {{
    {std::string{error_header}, to_string(reason)},
    {std::string{error_detail_header}, std::string{detail}},
    {std::string{source_header}, source_label(topic, partition, offset)},
  }};
}

std::string source_label(std::string_view topic, std::int32_t partition, std::int64_t offset) {
  std::string out{topic};
  out += '/';
  out += std::to_string(partition);
  out += '/';
  out += std::to_string(offset);
  return out;
}

std::string fraud_label(std::string_view scenario, std::uint64_t instance) {
  std::string out{scenario};
  out += ':';
  out += std::to_string(instance);
  return out;
}

}  // namespace txstream
