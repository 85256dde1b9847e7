// Every registered message type survives CAF serialisation, in process and
// between two real processes (an unregistered type would arrive empty).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include <unistd.h>  // access

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "messages/message_types.hpp"
#include "messages/pipeline_messages.hpp"
#include "tests/support/child_process.hpp"

using namespace txstream;

namespace {

transaction sample_transaction(int i) {
  transaction t;
  t.transaction_id = "0d7c7c4e-2b1a-4f5e-8c9d-01234567890" + std::to_string(i % 10);
  t.user_id = "user_" + std::to_string(i);
  t.merchant_id = "merchant_0007";
  t.location = "Z\xc3\xbcrich";
  t.currency = "CHF";
  t.amount_cents = 123'456'789 + i;
  t.event_time_ms = 1'700'000'000'123 + i;
  t.type = transaction_type::refund;
  t.method = payment_method::bank_transfer;
  t.is_international = true;
  t.source = {4, 9'876'543'210 + i};
  return t;
}

transaction_batch sample_batch() {
  transaction_batch b;
  b.partition = 4;
  b.sequence = 18'000'000'000'000'000'000ull;
  for (int i = 0; i < 3; ++i)
    b.transactions.push_back(sample_transaction(i));
  return b;
}

window_aggregate sample_window() {
  return {"merchant_0007", "EUR", 1'700'000'040'000, 1'700'000'100'000, 42, 1'000'001, 2'002, 5,
          99'999};
}

running_total sample_total() {
  return {"merchant_0007", "EUR", 4242, 10'000'001, 20'002, 1'700'000'099'999, 1'700'000'100'000};
}

anomaly sample_anomaly() {
  anomaly a;
  a.rule_id = "card_testing";
  a.rule_version = 3;
  a.user_id = "user_000042";
  a.event_time_ms = 1'700'000'000'000;
  a.detected_at_ms = 1'700'000'000'250;
  a.score = 0.8125;
  a.details = {{"count", anomaly_detail::kind::integer, 12, 0, {}},
               {"maxAmount", anomaly_detail::kind::money, 199, 0, {}},
               {"ratio", anomaly_detail::kind::number, 0, 3.25, {}},
               {"city", anomaly_detail::kind::text, 0, 0, "Lagos"}};
  a.transactions = {{"t-1", {1, 10}}, {"t-2", {1, 11}}};
  return a;
}

shard_batch sample_shard_batch() {
  shard_batch b;
  b.partition = 4;
  b.sequence = 42;
  for (int i = 0; i < 3; ++i)
    b.records.emplace_back(sample_transaction(i));
  b.max_event_time_ms = 1'700'000'123'456;
  b.epoch = 5;
  b.link_sequence = 17;
  b.runs = {{2, 0, 1}, {9, 1, 3}};
  return b;
}

dead_letter sample_dead_letter() {
  return {dead_letter_reason::late,
          "event 61000 ms behind the watermark",
          "financial_transactions",
          2,
          77,
          "user_000042",
          std::string{"{\"amount\":\xff\0}", 13}};
}

std::string peer_path() {
  if (auto env = std::getenv("TXSTREAM_CAF_PEER"))
    return env;
  return std::string{TXSTREAM_TEST_BINARY_DIR} + "/caf_roundtrip_peer";
}

caf::actor_system_config& configure(caf::actor_system_config& cfg) {
  add_message_types(cfg);
  cfg.load<caf::io::middleman>();
  cfg.set("scheduler.max-threads", 2);
  return cfg;
}

template <class T>
void check_serialization(caf::actor_system& sys, const T& value) {
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  auto copy = value;
  REQUIRE_FALSE(sink(copy));
  T back;
  caf::binary_deserializer source{sys, buf};
  REQUIRE_FALSE(source(back));
  CHECK(back == value);
}

}  // namespace

TEST_CASE("message types survive CAF binary serialisation", "[messages]") {
  caf::actor_system_config cfg;
  caf::actor_system sys{configure(cfg)};
  check_serialization(sys, sample_transaction(1));
  check_serialization(sys, sample_batch());
  check_serialization(sys, sample_window());
  check_serialization(sys, sample_total());
  check_serialization(sys, sample_anomaly());
  check_serialization(sys, sample_dead_letter());
  check_serialization(sys, sample_shard_batch());
  // Registered names: the wire contract between nodes.
  CHECK(cfg.type_names_by_rtti.at(typeid(transaction_batch)) == "txstream::transaction_batch");
  CHECK(cfg.type_names_by_rtti.at(typeid(std::vector<anomaly>))
        == "std::vector<txstream::anomaly>");
}

TEST_CASE("message types round-trip between two processes", "[messages]") {
  auto path = peer_path();
  REQUIRE(access(path.c_str(), X_OK) == 0);
  test::child_process peer{path};
  REQUIRE(peer.started());
  auto port_line = peer.read_line(std::chrono::seconds(20));
  INFO("peer said: '" << port_line << "'");
  REQUIRE_FALSE(port_line.empty());
  auto port = static_cast<std::uint16_t>(std::stoi(port_line));
  {
    caf::actor_system_config cfg;
    caf::actor_system sys{configure(cfg)};
    auto remote = sys.middleman().remote_actor("127.0.0.1", port);
    REQUIRE(remote);
    caf::scoped_actor self{sys};
    auto roundtrip = [&](auto value) {
      using value_type = decltype(value);
      bool answered = false;
      self->request(*remote, std::chrono::seconds(10), value)
        .receive(
          [&](const value_type& back) {
            answered = true;
            CHECK(back == value);
          },
          [&](const caf::error& err) { FAIL_CHECK("no echo: " << sys.render(err)); });
      CHECK(answered);
    };
    roundtrip(sample_transaction(7));
    roundtrip(sample_batch());
    roundtrip(sample_window());
    roundtrip(sample_total());
    roundtrip(sample_anomaly());
    roundtrip(sample_dead_letter());
    roundtrip(std::vector<window_aggregate>{sample_window(), sample_window()});
    roundtrip(std::vector<running_total>{sample_total()});
    roundtrip(std::vector<anomaly>{sample_anomaly()});
    // The pipeline's protocol messages between partition-consumers, shards
    // and detectors (shards move to other nodes once the cluster exists).
    roundtrip(shard_processed{1, 42, 3, {7, 9, 11}});
    roundtrip(shard_ack{1, 42, 3, {{5, 1234}, {13, no_offset}}});
    roundtrip(shard_progress{4, 3, {{63, no_offset}}});
    roundtrip(detector_ack{2, 17, true});
    roundtrip(partition_restore{100, 1'700'000'000'000, 250, 40});
    roundtrip(partition_end{4});
    roundtrip(partition_status{2, 1'700'000'000'000, true});
    roundtrip(sample_shard_batch());
  }
}
