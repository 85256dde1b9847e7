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

std::string payload(const std::string& merchant, std::int64_t time_ms, std::int64_t cents = 1234) {
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

/// Every host processed and acked batch `sequence` of `out`, holding
/// nothing in open windows; the detector delivered its anomalies.
void ack_all(partition_consumer_state& st, const routed_batch& out, std::uint64_t sequence) {
  for (std::size_t i = 0; i < out.hosts.size(); ++i) {
    st.on_shard_processed({0, sequence, 0, {}});
    std::vector<shard_hold> holds;
    for (const auto& run : out.per_host[i].runs)
      holds.push_back({run.shard, no_offset});
    st.on_shard_ack({0, sequence, 0, holds});
  }
  st.on_detector_ack(sequence);
}

std::vector<shard_hold> no_holds(const aggregator_config& cfg) {
  std::vector<shard_hold> holds;
  for (std::uint32_t s = 0; s < cfg.shards; ++s)
    holds.push_back({s, no_offset});
  return holds;
}

}  // namespace

TEST_CASE("route splits valid records by host, grouped by shard, and "
          "dead-letters bad ones",
          "[actors]") {
  auto cfg = config();
  partition_consumer_state st{3, "in", cfg, local_routes(cfg),
                              partition_resume_point{100, no_event_time}};
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
  for (std::size_t i = 0; i < out.hosts.size(); ++i) {
    const auto& b = out.per_host[i];
    CHECK(b.partition == 3);
    CHECK(b.link_sequence == 1);
    const auto& sub = b.records;
    CHECK(sub.capacity() == sub.size());  // sized before filling
    // One run per shard, in shard order, covering every record once.
    std::uint32_t covered = 0;
    for (std::size_t k = 0; k < b.runs.size(); ++k) {
      const auto& run = b.runs[k];
      CHECK(run.begin == covered);
      CHECK(run.end > run.begin);
      covered = run.end;
      if (k > 0)
        CHECK(b.runs[k - 1].shard < run.shard);
      CHECK(run.shard % 3 == out.hosts[i]);  // host h has shards h, h + 3, ...
      for (auto j = run.begin; j < run.end; ++j) {
        CHECK(shard_of(sub[j].merchant_id, cfg.shards) == run.shard);
        if (j > run.begin)
          CHECK(sub[j - 1].source.offset < sub[j].source.offset);
      }
    }
    CHECK(covered == sub.size());
    for (const auto& r : sub) {
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

TEST_CASE("the commit point waits for every shard and the detector", "[actors]") {
  auto cfg = config();
  partition_consumer_state st{0, "in", cfg, local_routes(cfg),
                              partition_resume_point{0, no_event_time}};
  raw_batch raw;
  raw.add(0, "", payload("m_a", t0));
  raw.add(1, "", payload("m_b", t0 + 1));
  routed_batch out;
  st.route(std::move(raw), true, out);
  CHECK(st.commit_point().offset == 0);
  for (std::size_t i = 0; i < out.hosts.size(); ++i) {
    CHECK(st.on_shard_processed({0, 1, 0, {}}).empty());
    std::vector<shard_hold> holds;
    for (const auto& run : out.per_host[i].runs)
      holds.push_back({run.shard, no_offset});
    st.on_shard_ack({0, 1, 0, holds});
  }
  CHECK(st.commit_point().offset == 0);  // the detector still holds it
  st.on_detector_ack(1);
  // Every shard it registered with answers what it still holds of the
  // partition (from an earlier consumer); until then it may hold anything.
  CHECK(st.commit_point().offset == 0);
  shard_progress all{0, 0, {}};
  for (std::uint32_t s = 0; s < cfg.shards; ++s)
    all.holds.push_back({s, no_offset});
  st.on_shard_progress(shard_progress{0, 7, all.holds});  // another epoch: ignored
  CHECK(st.commit_point().offset == 0);
  st.on_shard_progress(all);
  CHECK(st.commit_point().offset == 2);
  CHECK(st.in_flight() == 0);
}

TEST_CASE("raw batches go back to the pool once their payloads are not needed", "[actors]") {
  auto cfg = config();
  raw_batch_pool pool{2};
  partition_consumer_state st{0, "in", cfg, local_routes(cfg),
                              partition_resume_point{0, no_event_time}};
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
  for (std::size_t i = 0; i < out.hosts.size(); ++i)
    st.on_shard_processed({0, 2, 0, {}});
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

TEST_CASE("events far ahead of their Kafka timestamp are dead-lettered as "
          "future_time and move no watermark",
          "[actors]") {
  auto cfg = config();
  constexpr std::int64_t limit = 600'000;
  constexpr std::int64_t year_2999 = 32'503'679'999'000;
  partition_consumer_state st{
    0, "in", cfg, local_routes(cfg), partition_resume_point{0, no_event_time}, limit};
  raw_batch raw;
  raw.partition = 0;
  raw.add(0, "k", payload("m", year_2999), t0);       // a broken clock
  raw.add(1, "k", payload("m", t0 + limit), t0);      // at the limit: fine
  raw.add(2, "k", payload("m", t0 + limit + 1), t0);  // one ms beyond it
  raw.add(3, "k", payload("m", year_2999), -1);       // no timestamp: unchecked
  routed_batch out;
  st.route(std::move(raw), true, out);
  REQUIRE(out.dead.size() == 2);
  CHECK(out.dead[0].offset == 0);
  CHECK(out.dead[0].reason == dead_letter_reason::future_time);
  CHECK(out.dead[0].detail
        == "event time 32503679999000 is " + std::to_string(year_2999 - t0)
             + " ms ahead of the record's Kafka timestamp " + std::to_string(t0)
             + " (limit 600000 ms)");
  CHECK(out.dead[1].offset == 2);
  CHECK(out.dead[1].reason == dead_letter_reason::future_time);
  // The detector sees neither: its clock must not jump either.
  REQUIRE(out.valid.transactions.size() == 2);
  CHECK(out.valid.transactions[0].source.offset == 1);
  CHECK(out.valid.transactions[1].source.offset == 3);

  SECTION("ordinary records after future ones are counted, not late") {
    partition_consumer_state fresh{
      0, "in", cfg, local_routes(cfg), partition_resume_point{0, no_event_time}, limit};
    raw_batch poison;
    poison.partition = 0;
    poison.add(0, "k", payload("m", year_2999), t0);
    for (std::int64_t i = 1; i <= 100; ++i)
      poison.add(i, "k", payload("m", t0 + i * 1000), t0 + i * 1000);
    routed_batch routed;
    fresh.route(std::move(poison), true, routed);
    REQUIRE(routed.dead.size() == 1);
    CHECK(routed.dead[0].reason == dead_letter_reason::future_time);
    CHECK(routed.valid.transactions.size() == 100);
    CHECK(fresh.max_event_time() == t0 + 100'000);
  }
  SECTION("a limit of 0 turns the check off") {
    partition_consumer_state off{
      0, "in", cfg, local_routes(cfg), partition_resume_point{0, no_event_time}, 0};
    raw_batch one;
    one.partition = 0;
    one.add(0, "k", payload("m", year_2999), t0);
    routed_batch routed;
    off.route(std::move(one), true, routed);
    CHECK(routed.dead.empty());
    CHECK(off.max_event_time() == year_2999);
  }
}

TEST_CASE("commit metadata: v2 names the detector's re-read, v1 still reads", "[actors]") {
  partition_resume_point p{120, t0, 40};
  CHECK(encode_commit_metadata(p) == "v2 " + std::to_string(t0) + " 40");
  auto back = decode_commit_metadata(120, encode_commit_metadata(p));
  CHECK(back.offset == 120);
  CHECK(back.max_event_time_ms == t0);
  CHECK(back.detector_from == 40);
  auto old = decode_commit_metadata(120, "v1 42");
  CHECK(old.max_event_time_ms == 42);
  CHECK(old.detector_from == 120);                                       // no re-read
  CHECK(decode_commit_metadata(120, "v2 42 121").detector_from == 120);  // past the offset
  CHECK(decode_commit_metadata(120, "").detector_from == 120);
}

TEST_CASE("the detector's re-read starts where the records turn younger than the replay "
          "time",
          "[actors]") {
  auto cfg = config();
  constexpr std::int64_t replay = 10 * 60'000;
  partition_consumer_state st{
    0, "in", cfg, local_routes(cfg), partition_resume_point{0, no_event_time}, 0, replay};
  st.on_shard_progress({0, 0, no_holds(cfg)});
  // Batch k: offsets 10k..10k+9, event times in minute k.
  for (std::int64_t k = 0; k < 30; ++k) {
    raw_batch raw;
    for (std::int64_t i = 0; i < 10; ++i)
      raw.add(k * 10 + i, "", payload("m_a", t0 + k * 60'000 + i));
    routed_batch out;
    const auto sequence = st.next_sequence();
    st.route(std::move(raw), true, out);
    ack_all(st, out, sequence);
    const auto point = st.commit_point();
    CHECK(point.detector_from <= point.offset);
  }
  const auto point = st.commit_point();
  CHECK(point.offset == 300);
  // Max event time t0 + 29 min + 9 ms; before offset 190 every record is
  // at most t0 + 18 min + 9 ms, more than 10 minutes older.
  CHECK(point.detector_from == 190);

  SECTION("without a replay time the detector starts at the commit") {
    partition_consumer_state none{
      0, "in", cfg, local_routes(cfg), partition_resume_point{0, no_event_time}, 0, 0};
    none.on_shard_progress({0, 0, no_holds(cfg)});
    raw_batch raw;
    raw.add(0, "", payload("m_a", t0));
    routed_batch out;
    none.route(std::move(raw), true, out);
    ack_all(none, out, 1);
    CHECK(none.commit_point().detector_from == 1);
  }
}

TEST_CASE("records re-read below the resume offset go to the detector only", "[actors]") {
  auto cfg = config();
  // Resumes at 100 with the watermark of the first run; re-reads from 40.
  partition_consumer_state st{
    0, "in", cfg, local_routes(cfg), partition_resume_point{100, t0 + 600'000, 40}, 0, 3'600'000};
  st.on_shard_progress({0, 0, no_holds(cfg)});
  raw_batch raw;
  for (std::int64_t o = 40; o < 110; ++o) {
    if (o == 50 || o == 105)
      raw.add(o, "", "{not json");
    else if (o < 100)
      raw.add(o, "", payload("m_" + std::to_string(o % 5), t0 + o * 1000));  // late if new
    else
      raw.add(o, "", payload("m_" + std::to_string(o % 5), t0 + 600'000 + o));
  }
  routed_batch out;
  st.route(std::move(raw), true, out);
  // The detector gets every valid record, re-read ones included.
  CHECK(out.valid.transactions.size() == 68);
  CHECK(out.valid.transactions.front().source.offset == 40);
  // Only the new malformed record is dead-lettered, and nothing re-read is late.
  REQUIRE(out.dead.size() == 1);
  CHECK(out.dead[0].offset == 105);
  // Shards get the new records only.
  std::size_t routed = 0;
  for (const auto& b : out.per_host)
    for (const auto& r : b.records) {
      CHECK(r.source.offset >= 100);
      ++routed;
    }
  CHECK(routed == 9);
  CHECK(st.max_event_time() == t0 + 600'109);
  // The commit never goes below the resume offset, and the re-read start
  // stays where it was while those records are within the replay time.
  CHECK(st.commit_point().offset == 100);
  ack_all(st, out, 1);
  const auto point = st.commit_point();
  CHECK(point.offset == 110);
  CHECK(point.max_event_time_ms == t0 + 600'109);
  CHECK(point.detector_from == 40);
}
