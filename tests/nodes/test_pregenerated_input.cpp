// pregenerated_input: records stored ahead, sent with the event time patched.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "actors/generator_state.hpp"
#include "messages/json_encoder.hpp"
#include "messages/transaction_decoder.hpp"
#include "nodes/pregenerated_input.hpp"

using namespace txstream;

TEST_CASE("pregenerated records go out with the sending time", "[nodes]") {
  generator_config cfg;
  cfg.users = 1000;
  cfg.fraud_rate = 0.2;
  generator_state gen{cfg};
  pregenerated_input store;
  std::vector<transaction> originals;
  std::vector<std::string> labels;
  std::string value;
  for (int i = 0; i < 500; ++i) {
    const auto& rec = gen.next(1'700'000'000'000 + i);
    value.clear();
    encode_json(rec.txn, value);
    REQUIRE(store.add(rec.txn.user_id, value, rec.fraud_label));
    originals.push_back(rec.txn);
    labels.push_back(rec.fraud_label);
  }
  REQUIRE(store.size() == 500);
  const transaction_decoder decoder;
  for (std::size_t i = 0; i < store.size(); ++i) {
    const std::int64_t sent_at = 1'800'000'000'000 + static_cast<std::int64_t>(i) * 7;
    auto rec = store.at(i, sent_at);
    CHECK(rec.key == originals[i].user_id);
    CHECK(rec.label == labels[i]);
    transaction decoded;
    REQUIRE(decoder.decode(rec.payload, decoded).ok());
    // Everything as generated, but the time.
    auto expected = originals[i];
    expected.event_time_ms = sent_at;
    CHECK(decoded == expected);
  }
  CHECK(std::count_if(labels.begin(), labels.end(), [](const auto& l) { return !l.empty(); }) > 0);
}

TEST_CASE("pregenerated records need a 13-digit transactionTime", "[nodes]") {
  pregenerated_input store;
  CHECK_FALSE(store.add("k", R"({"amount":1})", ""));
  CHECK_FALSE(store.add("k", R"({"transactionTime":170000000000})", ""));    // 12 digits
  CHECK_FALSE(store.add("k", R"({"transactionTime":17000000000000})", ""));  // 14 digits
  CHECK_FALSE(store.add("k", R"({"transactionTime":1700000000.5})", ""));
  CHECK(store.add("k", R"({"transactionTime":1700000000000})", ""));
  // A time that does not fit 13 digits leaves the stored one.
  CHECK(store.at(store.size() - 1, 99).payload == R"({"transactionTime":1700000000000})");
  CHECK(store.at(store.size() - 1, 1700000000123).payload
        == R"({"transactionTime":1700000000123})");
}
