// partition_consumer_state without CAF or Kafka: routing, dead letters,
// commit points and recycling of raw batches.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "actors/partition_consumer_state.hpp"
#include "actors/raw_batch_pool.hpp"
#include "actors/shard_router.hpp"
#include "messages/json_encoder.hpp"

using namespace txstream;

namespace {

constexpr std::int64_t t0 = 1'700'000'000'000;

std::string payload(const std::string& merchant, std::int64_t time_ms,
                    std::int64_t cents = 1234) {
  transaction t;
  t.transaction_id = "tx-" + std::to_string(time_ms);
  t.user_id = "user_1";
  t.merchant_id = merchant;
  t.location = "Berlin";
  t.currency = "EUR";
  t.amount_cents = cents;
  t.event_time_ms = time_ms;
  std::string out;
  encode_json(t, out);
  return out;
}

aggregator_config config() {
  aggregator_config cfg;
  cfg.shards = 8;
  cfg.shard_actors = 3;  // actor i hosts shards i, i + 3, ...
  cfg.window_ms = 60'000;
  cfg.allowed_lateness_ms = 5'000;
  return cfg;
}

} // namespace

TEST_CASE("route splits valid records by aggregator and dead-letters bad ones",
          "[actors]") {
  auto cfg = config();
  partition_consumer_state st{3, "in", cfg, partition_resume_point{100, no_event_time}};
  raw_batch raw;
  raw.partition = 3;
  const std::vector<std::string> merchants{"m_a", "m_b", "m_c", "m_a", "m_d", "m_b"};
  std::int64_t offset = 100;
  for (const auto& m : merchants) {
    raw.add(offset, "k", payload(m, t0 + offset));
    ++offset;
  }
  raw.add(offset++, "k", "{not json");
  routed_batch out;
  st.route(std::move(raw), true, out);
  CHECK(out.valid.transactions.size() == merchants.size());
  REQUIRE(out.dead.size() == 1);
  CHECK(out.dead[0].offset == 106);
  CHECK(out.dead[0].payload == "{not json");
  std::size_t routed = 0;
  for (std::size_t i = 0; i < out.shards.size(); ++i) {
    CHECK(out.per_shard[i].partition == 3);
    const auto& sub = out.per_shard[i].records;
    CHECK(sub.capacity() == sub.size());  // sized before filling
    for (const auto& r : sub) {
      CHECK(shard_of(r.merchant_id, cfg.shards) % 3 == out.shards[i]);
      CHECK(aggregator_of(r.merchant_id, cfg.shards, 3) == out.shards[i]);
      // The shard's copy is the valid transaction's, field for field.
      auto it = std::find_if(out.valid.transactions.begin(), out.valid.transactions.end(),
                             [&](const transaction& t) { return t.source == r.source; });
      REQUIRE(it != out.valid.transactions.end());
      CHECK(r == shard_record{*it});
      CHECK(r.currency == it->currency);
      CHECK(r.amount_cents == it->amount_cents);
    }
    routed += sub.size();
  }
  CHECK(routed == merchants.size());
  CHECK(st.next_offset() == 107);
  CHECK(st.in_flight() == 1);
}

TEST_CASE("the commit point waits for every shard and the detector",
          "[actors]") {
  auto cfg = config();
  partition_consumer_state st{0, "in", cfg, partition_resume_point{0, no_event_time}};
  raw_batch raw;
  raw.add(0, "", payload("m_a", t0));
  raw.add(1, "", payload("m_b", t0 + 1));
  routed_batch out;
  st.route(std::move(raw), true, out);
  CHECK(st.commit_point().offset == 0);
  for (auto shard : out.shards) {
    CHECK(st.on_shard_processed({shard, 0, 1, {}}).empty());
    st.on_shard_ack({shard, 0, 1, no_offset});
  }
  CHECK(st.commit_point().offset == 0);  // the detector still holds it
  st.on_detector_ack(1);
  CHECK(st.commit_point().offset == 2);
  CHECK(st.in_flight() == 0);
}

TEST_CASE("raw batches go back to the pool once their payloads are not needed",
          "[actors]") {
  auto cfg = config();
  raw_batch_pool pool{2};
  partition_consumer_state st{0, "in", cfg, partition_resume_point{0, no_event_time}};
  st.recycle_into(&pool);
  // Only malformed records: nothing for a shard, the batch is free at once.
  raw_batch bad;
  bad.add(0, "", "garbage");
  routed_batch out;
  st.route(std::move(bad), true, out);
  CHECK(pool.kept() == 1);
  // Valid records: kept until every shard reported its late records.
  auto reused = pool.take();
  CHECK(reused.bytes.capacity() > 0);
  CHECK(reused.records.empty());
  reused.add(1, "", payload("m_a", t0));
  st.route(std::move(reused), true, out);
  CHECK(pool.kept() == 0);
  for (auto shard : out.shards)
    st.on_shard_processed({shard, 0, 2, {}});
  CHECK(pool.kept() == 1);
  // The pool is bounded.
  for (int i = 0; i < 5; ++i) {
    raw_batch b;
    b.add(0, "", "x");
    pool.give(std::move(b));
  }
  CHECK(pool.kept() == 2);
}

TEST_CASE("the raw batch pool frees outsized buffers", "[actors]") {
  raw_batch_pool pool;
  raw_batch big;
  big.bytes.reserve(raw_batch_pool::max_kept_bytes + 1);
  pool.give(std::move(big));
  CHECK(pool.kept() == 0);
  raw_batch usual;
  usual.bytes.reserve(1 << 20);
  pool.give(std::move(usual));
  CHECK(pool.kept() == 1);
}
