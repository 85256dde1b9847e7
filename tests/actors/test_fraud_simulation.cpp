// End to end on generated data: 300k transactions routed to five detectors
// as Kafka partitions would be; every scenario needs recall and precision of
// at least 0.99 under its own rule.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <vector>

#include "actors/fraud_detector_state.hpp"
#include "actors/fraud_evaluation.hpp"
#include "actors/generator_state.hpp"

using namespace txstream;

namespace {

std::uint32_t fnv1a(const std::string& s) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

}  // namespace

TEST_CASE("detectors find every scenario on generated traffic", "[actors][fraud][slow]") {
  // 10 tx/s over 10000 users is 3.6 transactions per user and hour, the
  // human pace of human_pace_users(); 300k records span 8.3 h of event
  // time, long enough for idle-user eviction (an instance takes <= 2 min).
  // Each user's producer clock is skewed by up to 3 s against the others.
  constexpr std::size_t n = 300'000;
  constexpr std::int64_t step_ms = 100;
  constexpr std::int64_t t0 = 1'700'000'000'000;
  constexpr std::size_t partitions = 5;
  generator_config gcfg;
  generator_state gen{gcfg};
  fraud_evaluation ev;
  std::vector<std::vector<transaction>> input(partitions);
  std::int64_t now = t0;
  for (std::size_t i = 0; i < n || gen.pending() > 0; ++i, now += step_ms) {
    if (i == n)
      gen.set_fraud_rate(0);  // let started instances finish
    auto rec = gen.next(now);
    auto h = fnv1a(rec.txn.user_id);
    auto p = h % partitions;
    rec.txn.event_time_ms -= (h >> 8) % 3000;
    rec.txn.source = source_position{static_cast<std::int32_t>(p),
                                     static_cast<std::int64_t>(input[p].size())};
    ev.add_label(rec.txn.transaction_id, rec.fraud_label);
    input[p].push_back(std::move(rec.txn));
  }
  std::vector<anomaly> anomalies;
  std::size_t total = 0;
  std::size_t peak_users = 0;
  auto start = std::chrono::steady_clock::now();
  for (std::size_t p = 0; p < partitions; ++p) {
    fraud_detector_state det{fraud_rules_config{}};
    for (const auto& t : input[p]) {
      det.process(t, t0, anomalies);
      peak_users = std::max(peak_users, det.user_count());
    }
    total += input[p].size();
  }
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Batches (with their prefetching) find exactly the same, in order.
  std::vector<anomaly> batched;
  for (std::size_t p = 0; p < partitions; ++p) {
    fraud_detector_state det{fraud_rules_config{}};
    for (std::size_t at = 0; at < input[p].size(); at += 2000) {
      auto end = std::min(input[p].size(), at + 2000);
      std::vector<transaction> batch(input[p].begin() + static_cast<std::ptrdiff_t>(at),
                                     input[p].begin() + static_cast<std::ptrdiff_t>(end));
      det.process_batch(batch, t0, batched);
    }
  }
  CHECK(batched == anomalies);
  for (const auto& a : anomalies)
    ev.add_anomaly(a);
  auto rows = ev.results();
  std::printf("fraud simulation: %zu transactions, %llu instances, "
              "%zu anomalies\n%s",
              total, static_cast<unsigned long long>(gen.scenario_instances()), anomalies.size(),
              fraud_evaluation::format_table(rows).c_str());
  std::printf("detector throughput: %.0f tx/s on one core (%.3f s), peak "
              "users per partition %zu\n",
              static_cast<double>(total) / secs, secs, peak_users);
  CHECK(ev.malformed_labels() == 0);
  REQUIRE(rows.size() == 6);
  for (const auto& r : rows) {
    INFO(r.scenario);
    CHECK(r.instances >= 50);
    CHECK(r.recall() >= 0.99);
    CHECK(r.precision() >= 0.99);
  }
}
