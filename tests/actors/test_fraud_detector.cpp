// fraud_detector_state memory bounds and fraud_evaluation scoring.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "actors/city_table.hpp"
#include "actors/fraud_detector_state.hpp"
#include "actors/fraud_evaluation.hpp"
#include "actors/fraud_scenarios.hpp"

using namespace txstream;

namespace {

constexpr std::int64_t det_t0 = 1'700'000'000'000;

transaction make_txn(std::uint64_t user, std::int64_t t_ms, std::int64_t offset) {
  transaction t;
  t.transaction_id = "tx-" + std::to_string(offset);
  t.user_id = "user_" + std::to_string(user);
  t.merchant_id = "merchant_0001";
  t.location = "Berlin";
  t.currency = "EUR";
  t.amount_cents = 3000;
  t.event_time_ms = det_t0 + t_ms;
  t.source = source_position{0, offset};
  return t;
}

anomaly make_anomaly(const char* rule, std::vector<const char*> ids) {
  anomaly a;
  a.rule_id = rule;
  for (auto id : ids)
    a.transactions.push_back(anomaly_transaction{id, {}});
  return a;
}

// Two detectors fed the same transactions: one with a weak hash (ten
// values for all users, the last digit of the id), so most users collide
// with a held one, and one with the real hash. They must agree.
struct twin_detectors {
  static std::uint64_t last_digit(std::string_view id) {
    return static_cast<std::uint64_t>(id.back() - '0');
  }

  fraud_rules_config cfg;
  fraud_detector_state strong{cfg};
  fraud_detector_state weak{cfg, last_digit};
  std::vector<anomaly> a;  // strong's anomalies
  std::vector<anomaly> b;  // weak's
  std::int64_t offset = 0;

  void feed(std::uint64_t user, std::int64_t t_ms) {
    auto t = make_txn(user, t_ms, offset++);
    strong.process(t, 0, a);
    weak.process(t, 0, b);
    REQUIRE(weak.user_count() == strong.user_count());
  }
};

}  // namespace

TEST_CASE("idle users are evicted so memory stays bounded", "[actors][fraud]") {
  fraud_rules_config cfg;
  fraud_detector_state det{cfg};
  std::vector<anomaly> out;
  // A million distinct users, one transaction each, one per second.
  const std::int64_t n = 1'000'000;
  std::size_t peak = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    det.process(make_txn(static_cast<std::uint64_t>(i), i * 1000, i), 0, out);
    peak = std::max(peak, det.user_count());
  }
  auto horizon_s = (cfg.retention_ms() + cfg.eviction_slack_ms) / 1000;
  CHECK(peak <= static_cast<std::size_t>(horizon_s) + 2);
  CHECK(det.buffered_transactions() == det.user_count());
  // A watermark past everyone's retention drops them all.
  auto evicted = det.evict_idle(det.max_event_time() + cfg.retention_ms() + 1);
  CHECK(evicted > 0);
  CHECK(det.user_count() == 0);
  CHECK(det.buffered_transactions() == 0);
  CHECK(out.empty());
}

TEST_CASE("one user's history is bounded by windows and a hard cap", "[actors][fraud]") {
  fraud_rules_config cfg;
  cfg.high_frequency.enabled = false;
  cfg.max_history_per_user = 64;
  fraud_detector_state det{cfg};
  std::vector<anomaly> out;
  for (std::int64_t i = 0; i < 10000; ++i)
    det.process(make_txn(7, i, i), 0, out);
  CHECK(det.user_count() == 1);
  CHECK(det.buffered_transactions() == 64);
  // Later, only what falls in the retention window is kept.
  det.process(make_txn(7, 10 * cfg.retention_ms(), 10000), 0, out);
  CHECK(det.buffered_transactions() == 1);
}

TEST_CASE("users whose id hashes collide keep separate state", "[actors][fraud]") {
  twin_detectors d;
  // 40 users, 9 transactions each within a minute (high_frequency fires
  // once per user), then a gap long enough to evict everyone, twice over.
  for (int round = 0; round < 2; ++round) {
    const std::int64_t start = round * 2 * (d.cfg.retention_ms() + d.cfg.eviction_slack_ms);
    for (int k = 0; k < 9; ++k)
      for (std::uint64_t user = 0; user < 40; ++user)
        d.feed(user, start + k * 1000);
    CHECK(d.weak.user_count() == 40);
  }
  REQUIRE(d.a.size() == 80);
  REQUIRE(d.b.size() == d.a.size());
  for (std::size_t i = 0; i < d.a.size(); ++i) {
    CHECK(d.b[i].rule_id == d.a[i].rule_id);
    CHECK(d.b[i].user_id == d.a[i].user_id);
    CHECK(d.b[i].transactions == d.a[i].transactions);
  }
  CHECK(d.weak.evict_idle(d.weak.max_event_time() + d.cfg.retention_ms() + 1) == 40);
  CHECK(d.weak.user_count() == 0);
}

TEST_CASE("a collided user keeps its state when the hash's holder leaves", "[actors][fraud]") {
  // user_1 and user_11 share a weak hash; user_1 holds the index entry,
  // goes idle and is evicted while user_11 stays active and then needs its
  // history (high_frequency over its last eight transactions).
  twin_detectors d;
  d.feed(1, 0);
  const std::int64_t quiet = d.cfg.retention_ms() + d.cfg.eviction_slack_ms + 60'000;
  for (std::int64_t t = 0; t <= quiet; t += 60'000)
    d.feed(11, t);
  REQUIRE(d.weak.user_count() == 1);  // user_1 is gone
  for (int k = 1; k <= 8; ++k)
    d.feed(11, quiet + k * 1000);
  REQUIRE(d.weak.user_count() == 1);
  REQUIRE(d.a.size() == 1);
  REQUIRE(d.b.size() == 1);
  CHECK(d.b[0].rule_id == "high_frequency");
  CHECK(d.b[0].transactions == d.a[0].transactions);
}

TEST_CASE("the city table fits the detector's 16-bit city index", "[actors][fraud]") {
  CHECK(city_count() <= 32767);
}

namespace {

/// Labels every transaction of instance `n` of `x`: "<prefix>0", "<prefix>1", ...
void label_instance(fraud_evaluation& ev, fraud_scenario x, std::uint64_t n,
                    const std::string& prefix, std::size_t transactions = 0) {
  auto count = transactions > 0 ? transactions : scenario_transactions(x);
  for (std::size_t i = 0; i < count; ++i)
    ev.add_label(prefix + std::to_string(i), make_fraud_label(x, n));
}

scenario_score row_of(const std::vector<scenario_score>& rows, const char* name) {
  for (const auto& r : rows)
    if (r.scenario == name)
      return r;
  FAIL("no row " << name);
  return scenario_score{};
}

}  // namespace

TEST_CASE("evaluation counts instances, detections and true positives", "[actors][fraud]") {
  fraud_evaluation ev;
  label_instance(ev, fraud_scenario::card_testing, 1, "a");
  label_instance(ev, fraud_scenario::card_testing, 2, "b");
  label_instance(ev, fraud_scenario::refund_abuse, 3, "c");
  ev.add_label("n1", "");
  ev.add_label("bad", "nonsense");
  // Detects instance 1; a second hit on the same instance is still a TP.
  ev.add_anomaly(make_anomaly("card_testing", {"n1", "a2"}));
  ev.add_anomaly(make_anomaly("card_testing", {"a1"}));
  // Normal traffic only: a false positive.
  ev.add_anomaly(make_anomaly("card_testing", {"n1"}));
  // The wrong rule on a labelled transaction detects nothing.
  ev.add_anomaly(make_anomaly("high_frequency", {"b1", "c1"}));
  auto rows = ev.results();
  CHECK(ev.malformed_labels() == 1);
  REQUIRE(rows.size() == 6);
  auto ct = row_of(rows, "card_testing");
  CHECK(ct.instances == 2);
  CHECK(ct.detected_instances == 1);
  CHECK(ct.recall() == Approx(0.5));
  CHECK(ct.anomalies == 3);
  CHECK(ct.true_positives == 2);
  CHECK(ct.precision() == Approx(2.0 / 3));
  CHECK(ct.incomplete == 0);
  auto hf = row_of(rows, "high_frequency");
  CHECK(hf.instances == 0);
  CHECK(hf.recall() == 1.0);
  CHECK(hf.anomalies == 1);
  CHECK(hf.true_positives == 0);
  CHECK(hf.precision() == 0.0);
  auto ra = row_of(rows, "refund_abuse");
  CHECK(ra.instances == 1);
  CHECK(ra.recall() == 0.0);
  CHECK(ra.precision() == 1.0);
  auto table = fraud_evaluation::format_table(rows);
  CHECK(table.find("card_testing") != std::string::npos);
}

TEST_CASE("instances cut off before their last transaction are incomplete, not "
          "missed",
          "[actors][fraud]") {
  fraud_evaluation ev;
  // Complete and detected; cut off and missed; cut off and detected anyway.
  label_instance(ev, fraud_scenario::refund_abuse, 1, "a");
  label_instance(ev, fraud_scenario::refund_abuse, 2, "b", 3);
  label_instance(ev, fraud_scenario::refund_abuse, 3, "c",
                 scenario_transactions(fraud_scenario::refund_abuse) - 1);
  // A scenario txstream does not know cannot be incomplete.
  ev.add_label("x0", "future_rule:9");
  // A label seen twice (a re-sent record) is one transaction.
  ev.add_label("b0", "refund_abuse:2");
  ev.add_anomaly(make_anomaly("refund_abuse", {"a5"}));
  ev.add_anomaly(make_anomaly("refund_abuse", {"c0", "c1"}));
  auto rows = ev.results();
  auto ra = row_of(rows, "refund_abuse");
  CHECK(ra.instances == 1);
  CHECK(ra.detected_instances == 1);
  CHECK(ra.recall() == 1.0);
  CHECK(ra.incomplete == 2);
  CHECK(ra.incomplete_detected == 1);
  // Both anomalies involve refund_abuse transactions: true positives.
  CHECK(ra.anomalies == 2);
  CHECK(ra.true_positives == 2);
  auto future = row_of(rows, "future_rule");
  CHECK(future.instances == 1);
  CHECK(future.incomplete == 0);
  CHECK(future.recall() == 0.0);
  auto table = fraud_evaluation::format_table(rows);
  CHECK(table.find("incomplete inc_detected") != std::string::npos);
}

TEST_CASE("re-read history rebuilds a user's state without reporting again", "[actors][fraud]") {
  fraud_rules_config cfg;  // high_frequency: more than 7 within 60 s
  std::vector<anomaly> found;
  SECTION("a burst split by the restart's resume offset is caught once") {
    fraud_detector_state st{cfg};
    st.replay_until(5);
    for (std::int64_t i = 0; i < 10; ++i)
      st.process(make_txn(1, i * 1000, i), 0, found);
    REQUIRE(found.size() == 1);
    CHECK(found[0].rule_id == "high_frequency");
    CHECK(found[0].event_time_ms == det_t0 + 7000);  // the eighth payment
  }
  SECTION("what fired within the re-read was reported before: its cooldown holds") {
    fraud_detector_state st{cfg};
    st.replay_until(9);
    for (std::int64_t i = 0; i < 10; ++i)
      st.process(make_txn(1, i * 1000, i), 0, found);
    CHECK(found.empty());
  }
  SECTION("without the history the restart misses the burst") {
    fraud_detector_state st{cfg};
    for (std::int64_t i = 5; i < 10; ++i)
      st.process(make_txn(1, i * 1000, i), 0, found);
    CHECK(found.empty());
  }
}
