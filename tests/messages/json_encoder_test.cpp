// Encoders: exact money text, escaping, and every output record parsed back.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "messages/decimal.hpp"
#include "messages/json_encoder.hpp"
#include "messages/kafka_headers.hpp"
#include "messages/transaction_decoder.hpp"

using namespace txstream;
using nlohmann::json;

namespace {

std::string cents(std::int64_t x) {
  std::string out;
  append_cents(out, x);
  return out;
}

std::string quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

}  // namespace

TEST_CASE("cents format as exact two-decimal numbers", "[messages]") {
  CHECK(cents(0) == "0.00");
  CHECK(cents(5) == "0.05");
  CHECK(cents(-5) == "-0.05");
  CHECK(cents(100) == "1.00");
  CHECK(cents(12345) == "123.45");
  CHECK(cents(-12345) == "-123.45");
  CHECK(cents(std::numeric_limits<std::int64_t>::max()) == "92233720368547758.07");
  CHECK(cents(std::numeric_limits<std::int64_t>::min()) == "-92233720368547758.08");
}

TEST_CASE("strings are escaped into valid JSON", "[messages]") {
  CHECK(quoted("plain") == R"("plain")");
  CHECK(quoted("a\"b\\c") == R"("a\"b\\c")");
  CHECK(quoted("\n\r\t\b\f") == R"("\n\r\t\b\f")");
  CHECK(quoted(std::string_view{"\x01\x1f\0", 3}) == R"("\u0001\u001f\u0000")");
  CHECK(quoted("Z\xc3\xbcrich \xf0\x9f\x98\x80") == "\"Z\xc3\xbcrich \xf0\x9f\x98\x80\"");
  CHECK(quoted("bad \xff byte") == R"("bad \ufffd byte")");
  CHECK(quoted("cut \xe2\x82") == R"("cut \ufffd\ufffd")");
  CHECK(json::parse(quoted("\x7f</script>")) == "\x7f</script>");
}

// Plain runs are skipped 16 bytes at a time: a byte needing an escape or a
// UTF-8 check must be handled at every position of a block and of the tail.
TEST_CASE("strings are escaped at every position", "[messages]") {
  auto escaped = [](const std::string& s) { return quoted(std::string_view{s}); };
  for (std::size_t len = 0; len <= 40; ++len) {
    for (std::size_t at = 0; at < len; ++at) {
      INFO("length " << len << ", special byte at " << at);
      auto with = [&](const std::string& special) {
        return std::string(at, 'a') + special + std::string(len - at - 1, 'b');
      };
      auto expect = [&](const std::string& special) {
        return '"' + std::string(at, 'a') + special + std::string(len - at - 1, 'b') + '"';
      };
      CHECK(escaped(with("\"")) == expect("\\\""));
      CHECK(escaped(with("\\")) == expect("\\\\"));
      CHECK(escaped(with("\n")) == expect("\\n"));
      CHECK(escaped(with("\x01")) == expect("\\u0001"));
      CHECK(escaped(with("\xff")) == expect("\\ufffd"));
      CHECK(escaped(with("\xc3\xa9")) == expect("\xc3\xa9"));
    }
  }
}

TEST_CASE("numbers: finite shortest form, non-finite null", "[messages]") {
  auto num = [](double x) {
    std::string out;
    append_json_number(out, x);
    return out;
  };
  CHECK(num(0.5) == "0.5");
  CHECK(num(3) == "3");
  CHECK(num(0.1) == "0.1");
  CHECK(num(std::nan("")) == "null");
  CHECK(num(std::numeric_limits<double>::infinity()) == "null");
  CHECK(json::parse(num(1e300)).get<double>() == 1e300);
}

TEST_CASE("transaction encoder writes the canonical schema", "[messages]") {
  transaction t;
  t.transaction_id = "0d7c7c4e-2b1a-4f5e-8c9d-0123456789ab";
  t.user_id = "user_000042";
  t.merchant_id = "merchant_0007";
  t.location = "S\xc3\xa3o \"Paulo\"";
  t.currency = "BRL";
  t.amount_cents = 1205;
  t.event_time_ms = 1'700'000'000'123;
  t.type = transaction_type::refund;
  t.method = payment_method::bank_transfer;
  t.is_international = true;
  auto text = to_json(t);
  CHECK(text
        == R"({"transactionId":"0d7c7c4e-2b1a-4f5e-8c9d-0123456789ab","userId":"user_000042",)"
           R"("amount":12.05,"transactionTime":1700000000123,"merchantId":"merchant_0007",)"
           R"("transactionType":"refund","location":"S)"
           "\xc3\xa3"
           R"(o \"Paulo\"",)"
           R"("paymentMethod":"bank_transfer","isInternational":true,"currency":"BRL"})");
  auto j = json::parse(text);
  CHECK(j["amount"].get<double>() == 12.05);
  CHECK(j["isInternational"].is_boolean());
  transaction back;
  REQUIRE(transaction_decoder{}.decode(text, back).ok());
  CHECK(back == t);
}

TEST_CASE("window aggregate contract", "[messages]") {
  window_aggregate w;
  w.merchant_id = "merchant_0007";
  w.currency = "USD";
  w.window_start_ms = 1'700'000'040'000;
  w.window_end_ms = 1'700'000'100'000;
  w.transaction_count = 3;
  w.purchase_cents = 10'050;
  w.refund_cents = 20'000;
  w.min_cents = 5;
  w.max_cents = 20'000;
  auto text = to_json(w);
  CHECK(text
        == R"({"type":"window","merchantId":"merchant_0007","currency":"USD",)"
           R"("windowStart":1700000040000,"windowEnd":1700000100000,"transactionCount":3,)"
           R"("purchaseAmount":100.50,"refundAmount":200.00,"netAmount":-99.50,)"
           R"("minAmount":0.05,"maxAmount":200.00})");
  auto j = json::parse(text);
  CHECK(j["type"] == "window");
  CHECK(j["windowEnd"].get<std::int64_t>() == w.window_end_ms);
  CHECK(j["netAmount"].get<double>() == -99.5);
}

TEST_CASE("running total contract", "[messages]") {
  running_total r;
  r.merchant_id = "m\"1";
  r.currency = "EUR";
  r.transaction_count = 12;
  r.purchase_cents = 123'456;
  r.refund_cents = 456;
  r.as_of_ms = 1'700'000'099'999;
  r.last_window_end_ms = 1'700'000'100'000;
  auto text = to_json(r);
  CHECK(text
        == R"({"type":"total","merchantId":"m\"1","currency":"EUR","transactionCount":12,)"
           R"("purchaseAmount":1234.56,"refundAmount":4.56,"netAmount":1230.00,)"
           R"("asOf":1700000099999,"lastWindowEnd":1700000100000})");
  auto j = json::parse(text);
  CHECK(j["merchantId"] == "m\"1");
  CHECK(j["asOf"].get<std::int64_t>() == r.as_of_ms);
}

TEST_CASE("anomaly contract", "[messages]") {
  anomaly a;
  a.rule_id = "impossible_travel";
  a.rule_version = 2;
  a.user_id = "user_000042";
  a.event_time_ms = 1'700'000'000'000;
  a.detected_at_ms = 1'700'000'000'250;
  a.score = 0.75;
  anomaly_detail d1{"distanceKm", anomaly_detail::kind::integer, 8'700, 0, {}};
  anomaly_detail d2{"amount", anomaly_detail::kind::money, 95'000, 0, {}};
  anomaly_detail d3{"speedKmh", anomaly_detail::kind::number, 0, 2175.5, {}};
  anomaly_detail d4{"from", anomaly_detail::kind::text, 0, 0, "New \"York\""};
  anomaly_detail d5{"ratio", anomaly_detail::kind::number, 0, std::nan(""), {}};
  a.details = {d1, d2, d3, d4, d5};
  a.transactions = {{"t-1", {2, 100}}, {"t-2", {2, 117}}};
  auto text = to_json(a);
  CHECK(text
        == R"({"ruleId":"impossible_travel","ruleVersion":2,"userId":"user_000042",)"
           R"("eventTime":1700000000000,"detectedAt":1700000000250,"score":0.75,)"
           R"("details":{"distanceKm":8700,"amount":950.00,"speedKmh":2175.5,)"
           R"("from":"New \"York\"","ratio":null},)"
           R"("transactions":[{"transactionId":"t-1","partition":2,"offset":100},)"
           R"({"transactionId":"t-2","partition":2,"offset":117}]})");
  auto j = json::parse(text);
  CHECK(j["details"]["amount"].get<double>() == 950.0);
  CHECK(j["transactions"][1]["offset"].get<std::int64_t>() == 117);
  anomaly empty;
  auto e = json::parse(to_json(empty));
  CHECK(e["details"].is_object());
  CHECK(e["details"].empty());
  CHECK(e["transactions"].is_array());
  CHECK(e["transactions"].empty());
}

TEST_CASE("encoders append to the caller's buffer", "[messages]") {
  std::string buf = "prefix|";
  window_aggregate w;
  encode_json(w, buf);
  CHECK(buf.rfind("prefix|{\"type\":\"window\"", 0) == 0);
}

TEST_CASE("dead-letter reasons have stable codes", "[messages]") {
  CHECK(std::string{to_string(dead_letter_reason::malformed_json)} == "malformed_json");
  CHECK(std::string{to_string(dead_letter_reason::late)} == "late");
  for (std::size_t i = 0; i < dead_letter_reason_count; ++i) {
    auto r = static_cast<dead_letter_reason>(i);
    CHECK(dead_letter_reason_from_string(to_string(r)) == r);
  }
  CHECK_FALSE(dead_letter_reason_from_string("nope").has_value());
}

TEST_CASE("dead-letter headers", "[messages]") {
  auto h = dead_letter_headers(dead_letter_reason::bad_amount, "amount: negative amount (byte 57)",
                               "financial_transactions", 3, 123456);
  CHECK(h[0] == kafka_header{"x-txstream-error", "bad_amount"});
  CHECK(h[1] == kafka_header{"x-txstream-error-detail", "amount: negative amount (byte 57)"});
  CHECK(h[2] == kafka_header{"x-txstream-source", "financial_transactions/3/123456"});
  CHECK(fraud_label("card_testing", 17) == "card_testing:17");
}
