// wire_size(): the link metrics' byte count of a batch equals what CAF's
// binary serializer writes for it.
#include <string>
#include <vector>

#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include "messages/inspect.hpp"
#include "messages/message_types.hpp"
#include "messages/wire_size.hpp"

using namespace txstream;

namespace {

std::size_t serialized(caf::actor_system& sys, shard_batch b) {
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  REQUIRE_FALSE(sink(b));
  return buf.size();
}

}  // namespace

TEST_CASE("wire_size is the size CAF's binary serializer writes", "[messages]") {
  caf::actor_system_config cfg;
  add_message_types(cfg);
  caf::actor_system sys{cfg};
  shard_batch b;
  b.partition = 3;
  b.sequence = 77;
  b.epoch = 5;
  b.link_sequence = 12;
  b.max_event_time_ms = 1'796'355'631'723;
  CHECK(wire_size(b) == serialized(sys, b));
  for (int i = 0; i < 300; ++i) {
    shard_record r;
    // Ids of every length up to past a varbyte's 127.
    r.merchant_id = "merchant" + std::string(static_cast<std::size_t>(i % 140), 'x');
    r.currency = i % 2 == 0 ? "USD" : "EUR";
    r.amount_cents = i * 101;
    r.event_time_ms = 1'796'355'631'723 + i;
    r.source = {3, 1000 + i};
    r.type = i % 5 == 0 ? transaction_type::refund : transaction_type::purchase;
    b.records.push_back(r);
  }
  b.runs = {{1, 0, 100}, {9, 100, 300}};
  CHECK(wire_size(b) == serialized(sys, b));
}
