// fraud_detector_state: each rule fires on a crafted sequence and stays quiet
// just below its threshold; cooldowns; involved transactions.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "actors/fraud_detector_state.hpp"

using namespace txstream;

namespace {

constexpr std::int64_t rules_t0 = 1'700'000'000'000;
constexpr std::int64_t sec = 1000;
constexpr std::int64_t min = 60 * sec;

/// Builds transactions of one user with increasing offsets.
struct txn_builder {
  std::string user = "user_000001";
  std::int32_t partition = 3;
  std::int64_t offset = 100;
  int serial = 0;

  transaction make(std::int64_t t_ms, std::int64_t cents,
                   transaction_type type = transaction_type::purchase,
                   const char* city = "New York",
                   payment_method method = payment_method::credit_card, bool international = false,
                   const char* currency = "USD") {
    transaction t;
    t.transaction_id = "tx-" + std::to_string(++serial);
    t.user_id = user;
    t.merchant_id = "merchant_0001";
    t.location = city;
    t.currency = currency;
    t.amount_cents = cents;
    t.event_time_ms = rules_t0 + t_ms;
    t.type = type;
    t.method = method;
    t.is_international = international;
    t.source = source_position{partition, offset++};
    return t;
  }
};

struct harness {
  fraud_detector_state det;
  txn_builder b;
  std::vector<anomaly> out;

  explicit harness(const fraud_rules_config& cfg = {}) : det(cfg) {
  }

  void feed(const transaction& t) {
    det.process(t, 42, out);
  }

  std::size_t count(const char* rule) const {
    std::size_t n = 0;
    for (const auto& a : out)
      n += a.rule_id == rule ? 1 : 0;
    return n;
  }
};

const anomaly_detail* find_detail(const anomaly& a, const char* name) {
  for (const auto& d : a.details)
    if (d.name == name)
      return &d;
  return nullptr;
}

}  // namespace

TEST_CASE("high_frequency fires above N transactions within T", "[actors][fraud]") {
  harness h;
  for (int i = 0; i < 7; ++i)
    h.feed(h.b.make(i * 8 * sec, 4000));
  CHECK(h.out.empty());
  auto eighth = h.b.make(59 * sec, 4000);
  h.feed(eighth);
  REQUIRE(h.out.size() == 1);
  const auto& a = h.out[0];
  CHECK(a.rule_id == "high_frequency");
  CHECK(a.rule_version == 1);
  CHECK(a.user_id == "user_000001");
  CHECK(a.event_time_ms == eighth.event_time_ms);
  CHECK(a.detected_at_ms == 42);
  CHECK(a.score == Approx(1.0 / 8));
  REQUIRE(find_detail(a, "count"));
  CHECK(find_detail(a, "count")->integer == 8);
  // Every transaction of the window, with its partition and offset.
  REQUIRE(a.transactions.size() == 8);
  for (std::size_t i = 0; i < 8; ++i) {
    CHECK(a.transactions[i].transaction_id == "tx-" + std::to_string(i + 1));
    auto offset = 100 + static_cast<std::int64_t>(i);
    CHECK(a.transactions[i].source == source_position{3, offset});
  }
}

TEST_CASE("high_frequency stays quiet when the first falls out of the window", "[actors][fraud]") {
  harness h;
  for (int i = 0; i < 7; ++i)
    h.feed(h.b.make(i * 8 * sec, 4000));
  h.feed(h.b.make(60 * sec, 4000));  // the one at 0 is exactly T before
  CHECK(h.out.empty());
}

TEST_CASE("card_testing fires on many small purchases", "[actors][fraud]") {
  harness h;
  for (int i = 0; i < 4; ++i)
    h.feed(h.b.make(i * 70 * sec, 150));
  CHECK(h.out.empty());
  h.feed(h.b.make(290 * sec, 199));
  REQUIRE(h.count("card_testing") == 1);
  CHECK(h.out[0].transactions.size() == 5);
  CHECK(find_detail(h.out[0], "total_usd")->type == anomaly_detail::kind::money);
}

TEST_CASE("card_testing ignores amounts above the small limit", "[actors][fraud]") {
  harness h;
  for (int i = 0; i < 4; ++i)
    h.feed(h.b.make(i * 30 * sec, 150));
  h.feed(h.b.make(150 * sec, 201));
  h.feed(h.b.make(400 * sec, 150));  // five small ones, but over 6:40
  CHECK(h.out.empty());
}

TEST_CASE("amount_spike compares with the user's own baseline", "[actors][fraud]") {
  SECTION("20x the baseline fires") {
    harness h;
    for (int i = 0; i < 5; ++i)
      h.feed(h.b.make(i * 10 * min, 4000));
    h.feed(h.b.make(60 * min, 80000));
    REQUIRE(h.count("amount_spike") == 1);
    const auto& a = h.out[0];
    CHECK(find_detail(a, "baseline_usd")->integer == 4000);
    CHECK(find_detail(a, "amount_usd")->integer == 80000);
    CHECK(find_detail(a, "ratio")->number == Approx(20.0));
    REQUIRE(a.transactions.size() == 1);
    CHECK(a.transactions[0].source.offset == 105);
  }
  SECTION("just below 20x does not") {
    harness h;
    for (int i = 0; i < 5; ++i)
      h.feed(h.b.make(i * 10 * min, 4000));
    h.feed(h.b.make(60 * min, 79900));
    CHECK(h.out.empty());
  }
  SECTION("a history shorter than the minimum does not") {
    harness h;
    for (int i = 0; i < 4; ++i)
      h.feed(h.b.make(i * 10 * min, 4000));
    h.feed(h.b.make(60 * min, 400000));
    CHECK(h.out.empty());
  }
  SECTION("small probes do not lower the baseline") {
    harness h;
    for (int i = 0; i < 5; ++i)
      h.feed(h.b.make(i * 10 * min, 4000));
    for (int i = 0; i < 3; ++i)
      h.feed(h.b.make(60 * min + i * 3 * min, 100));
    h.feed(h.b.make(80 * min, 60000));
    CHECK(h.count("amount_spike") == 0);
  }
}

TEST_CASE("impossible_travel uses great-circle speed between card payments", "[actors][fraud]") {
  SECTION("New York to London in 30 minutes fires") {
    harness h;
    h.feed(h.b.make(0, 4000, transaction_type::purchase, "New York"));
    h.feed(h.b.make(30 * min, 4000, transaction_type::purchase, "London",
                    payment_method::debit_card, true, "GBP"));
    REQUIRE(h.count("impossible_travel") == 1);
    const auto& a = h.out[0];
    CHECK(find_detail(a, "from_city")->text == "New York");
    CHECK(find_detail(a, "to_city")->text == "London");
    CHECK(find_detail(a, "distance_km")->number == Approx(5570).margin(30));
    CHECK(find_detail(a, "speed_kmh")->number == Approx(11140).margin(60));
    REQUIRE(a.transactions.size() == 2);
    CHECK(a.transactions[0].transaction_id == "tx-1");
    CHECK(a.transactions[1].transaction_id == "tx-2");
  }
  SECTION("New York to Chicago: 1 h is too fast, 1 h 20 min is not") {
    harness fast;
    fast.feed(fast.b.make(0, 4000, transaction_type::purchase, "New York"));
    fast.feed(fast.b.make(60 * min, 4000, transaction_type::purchase, "Chicago"));
    CHECK(fast.count("impossible_travel") == 1);
    harness slow;
    slow.feed(slow.b.make(0, 4000, transaction_type::purchase, "New York"));
    slow.feed(slow.b.make(80 * min, 4000, transaction_type::purchase, "Chicago"));
    CHECK(slow.out.empty());
  }
  SECTION("the last card payment counts after it left the history") {
    // The history cap drops New York before the Tokyo payment arrives; the
    // rule must still see it (the detector keeps a copy once it is dropped).
    fraud_rules_config cfg;
    cfg.max_history_per_user = 3;
    harness h{cfg};
    h.feed(h.b.make(0, 4000, transaction_type::purchase, "New York"));
    for (int i = 1; i <= 3; ++i)
      h.feed(h.b.make(i * min, 4000, transaction_type::purchase, "London", payment_method::paypal));
    CHECK(h.det.buffered_transactions() == 3);
    h.feed(h.b.make(10 * min, 4000, transaction_type::purchase, "Tokyo",
                    payment_method::credit_card, true, "JPY"));
    REQUIRE(h.count("impossible_travel") == 1);
    const auto& a = h.out[0];
    CHECK(find_detail(a, "from_city")->text == "New York");
    CHECK(find_detail(a, "to_city")->text == "Tokyo");
    REQUIRE(a.transactions.size() == 2);
    CHECK(a.transactions[0].transaction_id == "tx-1");
    CHECK(a.transactions[0].source == source_position{3, 100});
    CHECK(a.transactions[1].transaction_id == "tx-5");
  }
  SECTION("remote payments, nearby and unknown cities are skipped") {
    harness h;
    h.feed(h.b.make(0, 4000, transaction_type::purchase, "New York"));
    h.feed(
      h.b.make(5 * min, 4000, transaction_type::purchase, "Tokyo", payment_method::paypal, true));
    h.feed(h.b.make(10 * min, 4000, transaction_type::purchase, "Boston"));
    h.feed(h.b.make(15 * min, 4000, transaction_type::purchase, "Atlantis"));
    CHECK(h.out.empty());
  }
}

TEST_CASE("international_high fires from the USD-equivalent threshold", "[actors][fraud]") {
  harness h;
  h.feed(h.b.make(0, 199999, transaction_type::purchase, "Paris", payment_method::paypal, true));
  h.feed(h.b.make(1 * min, 500000, transaction_type::purchase, "Chicago", payment_method::paypal,
                  false));
  CHECK(h.out.empty());
  // 1840.00 EUR is 2000 USD at the reference rate.
  h.feed(h.b.make(2 * min, 184000, transaction_type::purchase, "Paris", payment_method::paypal,
                  true, "EUR"));
  REQUIRE(h.count("international_high") == 1);
  CHECK(find_detail(h.out[0], "amount_usd")->integer == 200000);
  CHECK(h.out[0].score == Approx(0.0));
}

TEST_CASE("refund_abuse fires on many refunds within the window", "[actors][fraud]") {
  SECTION("six refunds within 45 minutes fire") {
    harness h;
    for (int i = 0; i < 5; ++i)
      h.feed(h.b.make(i * 8 * min, 3000, transaction_type::refund));
    h.feed(h.b.make(20 * min, 3000));
    CHECK(h.out.empty());
    h.feed(h.b.make(44 * min, 3000, transaction_type::refund));
    REQUIRE(h.count("refund_abuse") == 1);
    CHECK(h.out[0].transactions.size() == 6);  // the refunds, not the purchase
    CHECK(find_detail(h.out[0], "refunded_usd")->integer == 18000);
    CHECK(find_detail(h.out[0], "purchased_usd")->integer == 3000);
  }
  SECTION("six refunds over more than 45 minutes do not") {
    harness h;
    for (int i = 0; i < 6; ++i)
      h.feed(h.b.make(i * 9 * min, 3000, transaction_type::refund));
    CHECK(h.out.empty());
  }
}

TEST_CASE("a cooldown suppresses repeats of a rule for the same user", "[actors][fraud]") {
  harness h;
  for (int i = 0; i < 20; ++i)
    h.feed(h.b.make(i * 2 * sec, 4000));
  CHECK(h.count("high_frequency") == 1);
  // Another user is not affected by this user's cooldown.
  txn_builder other;
  other.user = "user_000002";
  for (int i = 0; i < 8; ++i)
    h.feed(other.make(i * 2 * sec, 4000));
  CHECK(h.count("high_frequency") == 2);
  // After the 10 minute cooldown the first user can fire again.
  for (int i = 0; i < 8; ++i)
    h.feed(h.b.make(10 * min + 38 * sec + i * 2 * sec, 4000));
  CHECK(h.count("high_frequency") == 3);
}

TEST_CASE("disabled rules never fire", "[actors][fraud]") {
  fraud_rules_config cfg;
  cfg.high_frequency.enabled = false;
  cfg.high_frequency.version = 7;
  harness h{cfg};
  for (int i = 0; i < 20; ++i)
    h.feed(h.b.make(i * sec, 4000));
  CHECK(h.out.empty());
}
