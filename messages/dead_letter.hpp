// A record on its way to the dead-letter topic, for actors that reject input
// they did not decode themselves (e.g. an aggregator rejecting a late event).
#pragma once

#include <cstdint>
#include <string>

#include "messages/dead_letter_reason.hpp"

namespace txstream {

/// Everything the dead-letter sink needs: payload and key verbatim, reason
/// and detail for the headers, and the source for `x-txstream-source`.
struct dead_letter {
  dead_letter_reason reason = dead_letter_reason::none;
  std::string detail;
  std::string topic;
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  std::string key;      // original record key; empty if it had none
  std::string payload;  // original bytes, verbatim
};

inline bool operator==(const dead_letter& a, const dead_letter& b) {
  return a.reason == b.reason && a.detail == b.detail && a.topic == b.topic
         && a.partition == b.partition && a.offset == b.offset && a.key == b.key
         && a.payload == b.payload;
}

}  // namespace txstream
