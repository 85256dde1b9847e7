// The checks of `txstream verify` over crafted in-memory records: a passing
// pipeline output, and one case per failure kind.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "messages/json_encoder.hpp"
#include "nodes/verify_report.hpp"

using namespace txstream;

namespace {

constexpr std::int64_t t0 = 1700000040000;  // a window start (60 s windows)
constexpr std::int64_t minute = 60000;

struct input {
  std::int32_t partition;
  std::int64_t offset;
  transaction txn;
  std::string label;
};

transaction txn(const std::string& id, const std::string& merchant, std::int64_t cents,
                std::int64_t time, bool refund = false, const std::string& user = "user_000001") {
  transaction t;
  t.transaction_id = id;
  t.user_id = user;
  t.merchant_id = merchant;
  t.location = "Berlin";
  t.currency = "EUR";
  t.amount_cents = cents;
  t.event_time_ms = time;
  t.type = refund ? transaction_type::refund : transaction_type::purchase;
  return t;
}

window_aggregate window(const std::string& merchant, std::int64_t start, std::int64_t count,
                        std::int64_t purchase, std::int64_t refund, std::int64_t min,
                        std::int64_t max) {
  return window_aggregate{merchant, "EUR", start, start + minute, count, purchase,
                          refund,   min,   max};
}

running_total total(const std::string& merchant, std::int64_t count, std::int64_t purchase,
                    std::int64_t refund, std::int64_t last_end) {
  return running_total{merchant, "EUR", count, purchase, refund, last_end - 1, last_end};
}

anomaly alert(const std::string& rule, std::vector<std::string> ids) {
  anomaly a;
  a.rule_id = rule;
  a.user_id = "user_000001";
  for (auto& id : ids)
    a.transactions.push_back(anomaly_transaction{std::move(id), {0, 0}});
  return a;
}

/// A consistent pipeline output: four inputs (one invalid, dead-lettered),
/// two merchants, three windows, totals, one detected fraud instance. Every
/// input partition reaches far enough for all windows to be closed.
struct scenario {
  std::vector<input> inputs = {
    {0, 0, txn("t1", "merchant_0001", 1000, t0 + 1), "card_testing:1"},
    {0, 1, txn("t2", "merchant_0001", 250, t0 + 2, true), ""},
    {1, 0, txn("t3", "merchant_0002", 4000, t0 + 5), "card_testing:1"},
    {0, 2, txn("t4", "merchant_0001", 700, t0 + minute + 3), ""},
    {1, 1, txn("t5", "merchant_0002", 10, t0 + 3 * minute), ""},
    {0, 3, txn("t6", "merchant_0003", 20, t0 + 3 * minute), ""},
  };
  std::vector<std::pair<std::string, std::string>> dead_letters = {
    {"malformed_json", "financial_transactions/1/2"},
  };
  std::vector<std::string> aggregates = {
    to_json(window("merchant_0001", t0, 2, 1000, 250, 250, 1000)),
    to_json(window("merchant_0002", t0, 1, 4000, 0, 4000, 4000)),
    to_json(window("merchant_0001", t0 + minute, 1, 700, 0, 700, 700)),
    to_json(total("merchant_0001", 2, 1000, 250, t0 + minute)),
    to_json(total("merchant_0002", 1, 4000, 0, t0 + minute)),
    to_json(total("merchant_0001", 3, 1700, 250, t0 + 2 * minute)),
  };
  std::vector<std::string> anomalies = {to_json(alert("card_testing", {"t1"}))};

  verify_report run(verify_options opts = {}) const {
    verify_checker c{opts};
    for (const auto& x : inputs)
      c.add_input(x.partition, x.offset, x.txn.user_id, to_json(x.txn), x.label);
    c.add_input(1, 2, "user_000009", "{not json", "");
    for (const auto& [error, source] : dead_letters)
      c.add_dead_letter(error, source);
    for (const auto& a : aggregates)
      c.add_aggregate(a);
    for (const auto& a : anomalies)
      c.add_anomaly(a);
    return c.finish();
  }
};

bool has_problem(const verify_report& r, const std::string& kind) {
  for (const auto& [k, text] : r.problems)
    if (k == kind)
      return true;
  return false;
}

}  // namespace

TEST_CASE("verify passes a consistent pipeline output", "[nodes]") {
  auto r = scenario{}.run();
  INFO(format_text(r, {}));
  CHECK(r.ok());
  CHECK(r.input_records == 7);
  CHECK(r.valid_records == 6);
  CHECK(r.invalid_records == 1);
  CHECK(r.dead_lettered_records == 1);
  CHECK(r.dead_lettered_by_reason.at("malformed_json") == 1);
  CHECK(r.counted_records == 6);
  CHECK(r.windows_expected == 5);
  CHECK(r.windows_emitted == 3);
  CHECK(r.windows_matched == 3);
  // merchant_0002 and _0003 at t0 + 3 min end after the watermark.
  CHECK(r.watermark_ms == t0 + 3 * minute - 5000);
  CHECK(r.windows_open == 2);
  CHECK(r.windows_missing == 0);
  CHECK(r.totals_checked == 2);
  CHECK(r.totals_matched == 2);
  CHECK(r.labelled_records == 2);
  CHECK(r.problems.empty());
  auto json = format_json(r, {});
  CHECK(json.find("\"ok\": true") != std::string::npos);
}

TEST_CASE("verify reports instances cut off by the end of the input apart from "
          "recall",
          "[nodes]") {
  scenario s;
  // One transaction of a 12-transaction burst, which nothing detects.
  s.inputs[4].label = "high_frequency:2";
  auto r = s.run();
  INFO(format_text(r, {}));
  CHECK(r.ok());
  CHECK(r.recall_failures == 0);
  std::uint64_t incomplete = 0;
  for (const auto& row : r.fraud) {
    incomplete += row.incomplete;
    if (row.scenario == "high_frequency") {
      CHECK(row.instances == 0);
      CHECK(row.incomplete == 1);
      CHECK(row.incomplete_detected == 0);
    }
    // The fixture's card_testing instance has 2 of its 8 transactions,
    // and its anomaly is still a true positive.
    if (row.scenario == "card_testing") {
      CHECK(row.instances == 0);
      CHECK(row.incomplete == 1);
      CHECK(row.incomplete_detected == 1);
      CHECK(row.true_positives == 1);
    }
  }
  CHECK(incomplete == 2);
  auto text = format_text(r, {});
  CHECK(text.find("incomplete inc_detected") != std::string::npos);
  CHECK(text.find("2 fraud instances lack transactions") != std::string::npos);
  auto json = format_json(r, {});
  CHECK(json.find("\"incomplete\": 1") != std::string::npos);
  CHECK(json.find("\"incompleteDetected\": 1") != std::string::npos);
}

TEST_CASE("verify counts duplicate dead letters and identical re-emissions", "[nodes]") {
  scenario s;
  s.dead_letters.push_back(s.dead_letters.front());
  s.aggregates.push_back(s.aggregates.front());
  auto r = s.run();
  CHECK(r.ok());
  CHECK(r.duplicate_dead_letters == 1);
  CHECK(r.dead_lettered_records == 1);
  CHECK(r.duplicate_emissions == 1);
}

TEST_CASE("verify fails on an invalid record that was not dead-lettered", "[nodes]") {
  scenario s;
  s.dead_letters.clear();
  auto r = s.run();
  CHECK_FALSE(r.ok());
  CHECK_FALSE(r.input_ok());
  CHECK(r.lost_records == 1);
  CHECK(has_problem(r, "lost record"));
}

TEST_CASE("verify fails on a missing window", "[nodes]") {
  scenario s;
  s.aggregates.erase(s.aggregates.begin() + 1);  // merchant_0002 at t0
  s.aggregates.erase(s.aggregates.begin() + 3);  // and its total
  auto r = s.run();
  CHECK_FALSE(r.ok());
  CHECK(r.windows_missing == 1);
  CHECK(has_problem(r, "missing window"));
  CHECK(r.totals_ok());
}

TEST_CASE("open windows are missing once the pipeline must have flushed", "[nodes]") {
  verify_options opts;
  opts.require_all_windows = true;
  auto r = scenario{}.run(opts);
  CHECK_FALSE(r.ok());
  CHECK(r.windows_missing == 2);
  CHECK(r.windows_open == 0);
}

TEST_CASE("verify fails on a window with a wrong sum", "[nodes]") {
  scenario s;
  s.aggregates[0] = to_json(window("merchant_0001", t0, 2, 1001, 250, 250, 1000));
  s.aggregates[5] = to_json(total("merchant_0001", 3, 1701, 250, t0 + 2 * minute));
  auto r = s.run();
  CHECK_FALSE(r.ok());
  CHECK(r.windows_mismatched == 1);
  CHECK(has_problem(r, "wrong window"));
  // The total agrees with the (wrong) windows: only the window check fails.
  CHECK(r.totals_ok());
}

TEST_CASE("verify fails on a wrong min or max", "[nodes]") {
  scenario s;
  s.aggregates[1] = to_json(window("merchant_0002", t0, 1, 4000, 0, 0, 4000));
  auto r = s.run();
  CHECK(r.windows_mismatched == 1);
  CHECK_FALSE(r.ok());
}

TEST_CASE("verify fails on an unexpected window", "[nodes]") {
  scenario s;
  s.aggregates.push_back(to_json(window("merchant_0009", t0, 1, 5, 0, 5, 5)));
  auto r = s.run();
  CHECK_FALSE(r.ok());
  CHECK(r.windows_unexpected == 1);
  CHECK(r.totals_missing == 1);  // and it has no running total
}

TEST_CASE("verify fails on a window emitted twice with different values", "[nodes]") {
  scenario s;
  s.aggregates.push_back(to_json(window("merchant_0001", t0, 1, 1000, 0, 1000, 1000)));
  auto r = s.run();
  CHECK_FALSE(r.ok());
  CHECK(r.conflicting_emissions == 1);
  CHECK(has_problem(r, "conflicting emission"));
}

TEST_CASE("verify fails on a record both dead-lettered and counted", "[nodes]") {
  scenario s;
  // t4 is dead-lettered as late, yet its window still counts it.
  s.dead_letters.emplace_back("late", "financial_transactions/0/2");
  auto r = s.run();
  CHECK_FALSE(r.ok());
  CHECK(r.dead_lettered_records == 2);
  CHECK(r.dead_lettered_by_reason.at("late") == 1);
  CHECK(r.windows_counting_dead_letters == 1);
  CHECK(has_problem(r, "dead-lettered and counted"));
}

TEST_CASE("a dead-lettered valid record excluded from its window passes", "[nodes]") {
  scenario s;
  s.dead_letters.emplace_back("late", "financial_transactions/0/2");
  s.aggregates.erase(s.aggregates.begin() + 2);  // merchant_0001 at t0 + 1 min
  s.aggregates.pop_back();                       // and the total folding it in
  auto r = s.run();
  INFO(format_text(r, {}));
  CHECK(r.ok());
  CHECK(r.counted_records == 5);
}

TEST_CASE("verify fails on a running total that disagrees with its windows", "[nodes]") {
  scenario s;
  s.aggregates[5] = to_json(total("merchant_0001", 3, 1700, 251, t0 + 2 * minute));
  auto r = s.run();
  CHECK_FALSE(r.ok());
  CHECK(r.windows_ok());
  CHECK(r.totals_mismatched == 1);
  CHECK(has_problem(r, "wrong total"));
}

TEST_CASE("verify fails on conflicting totals and missing totals", "[nodes]") {
  scenario s;
  s.aggregates.push_back(to_json(total("merchant_0001", 3, 1700, 0, t0 + 2 * minute)));
  s.aggregates.erase(s.aggregates.begin() + 4);  // merchant_0002's total
  auto r = s.run();
  CHECK_FALSE(r.ok());
  CHECK(r.totals_conflicting == 1);
  CHECK(r.totals_missing == 1);
}

TEST_CASE("verify fails on low recall", "[nodes]") {
  scenario s;
  s.inputs[4].label = "international_high:2";  // a whole instance nobody detected
  auto r = s.run();
  CHECK_FALSE(r.ok());
  CHECK_FALSE(r.fraud_ok());
  CHECK(r.recall_failures == 1);
  CHECK(has_problem(r, "low recall"));
  verify_options lenient;
  lenient.min_recall = 0.0;
  CHECK(s.run(lenient).ok());
}

TEST_CASE("verify fails on low precision", "[nodes]") {
  scenario s;
  s.anomalies.push_back(to_json(alert("card_testing", {"t4"})));  // a false alarm
  auto r = s.run();
  CHECK_FALSE(r.ok());
  CHECK(r.precision_failures == 1);
  REQUIRE(!r.fraud.empty());
  bool found = false;
  for (const auto& row : r.fraud)
    if (row.scenario == "card_testing") {
      found = true;
      CHECK(row.anomalies == 2);
      CHECK(row.true_positives == 1);
      CHECK(row.recall() == 1.0);
    }
  CHECK(found);
}

TEST_CASE("verify rejects malformed aggregates and anomalies", "[nodes]") {
  scenario s;
  s.aggregates.push_back("{\"type\":\"window\",\"merchantId\":\"m\"}");
  s.aggregates.push_back("[1,2]");
  // Amounts with more than two decimals are not silently rounded.
  auto w = to_json(window("merchant_0001", t0, 2, 1000, 250, 250, 1000));
  w.replace(w.find("\"purchaseAmount\":10.00"), 22, "\"purchaseAmount\":10.001");
  s.aggregates.push_back(w);
  s.anomalies.push_back("{\"ruleId\":\"card_testing\"}");
  auto r = s.run();
  CHECK_FALSE(r.ok());
  CHECK(r.malformed_aggregates == 3);
  CHECK(r.malformed_anomalies == 1);
}

TEST_CASE("dead letters naming unknown records are warnings", "[nodes]") {
  scenario s;
  s.dead_letters.emplace_back("late", "financial_transactions/4/99");
  s.dead_letters.emplace_back("late", "other_topic/0/1");
  s.dead_letters.emplace_back("late", "garbage");
  auto r = s.run();
  CHECK(r.ok());
  CHECK(r.unknown_dead_letters == 3);
  CHECK(r.warnings.size() >= 3);
}

TEST_CASE("a read error fails verify", "[nodes]") {
  verify_checker c;
  c.add_read_error("financial_transactions: not read to the high watermark");
  auto r = c.finish();
  CHECK_FALSE(r.ok());
  CHECK(format_text(r, {}).find("verify FAILED") != std::string::npos);
}

TEST_CASE("verify --merchant-totals checks the newest total of each merchant", "[nodes]") {
  verify_options opts;
  opts.merchant_totals = true;
  auto check = [&](const std::vector<std::string>& totals) {
    verify_checker c{opts};
    c.add_input(0, 0, "user_000001", to_json(txn("t1", "merchant_0001", 1005, t0)), "");
    c.add_input(0, 1, "user_000001", to_json(txn("t2", "merchant_0001", 250, t0, true)), "");
    c.add_input(1, 0, "user_000001", to_json(txn("t3", "merchant_0002", 10, t0)), "");
    for (const auto& t : totals)
      c.add_aggregate(t);
    return c.finish();
  };
  // Refunds count as amounts, as a plain sum over the input does; an older
  // total (lower count) and a duplicate are superseded.
  auto ok = check(
    {R"({"merchantId":"merchant_0001","totalAmount":10.05,"transactionCount":1})",
     R"({"merchantId":"merchant_0001","totalAmount":12.549999999999999,"transactionCount":2})",
     R"({"merchantId":"merchant_0002","totalAmount":0.1,"transactionCount":1})",
     R"({"merchantId":"merchant_0002","totalAmount":0.1,"transactionCount":1})"});
  INFO(format_text(ok, opts));
  CHECK(ok.ok());
  CHECK(ok.merchants_expected == 2);
  CHECK(ok.merchants_matched == 2);
  CHECK(ok.fraud.empty());

  auto wrong = check({R"({"merchantId":"merchant_0001","totalAmount":12.56,"transactionCount":2})",
                      R"({"merchantId":"merchant_0009","totalAmount":1,"transactionCount":1})",
                      R"({"merchantId":"merchant_0002"})"});
  CHECK_FALSE(wrong.ok());
  CHECK(wrong.merchants_mismatched == 1);
  CHECK(wrong.merchants_missing == 1);
  CHECK(wrong.merchants_unexpected == 1);
  CHECK(wrong.malformed_aggregates == 1);
  CHECK(has_problem(wrong, "wrong merchant total"));
  CHECK(format_json(wrong, opts).find("\"merchantTotals\"") != std::string::npos);
}
