// Decoder acceptance: reference producers, JSON edge cases, rejections.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "messages/decimal.hpp"
#include "messages/json_encoder.hpp"
#include "messages/transaction_decoder.hpp"

using namespace txstream;

namespace {

// What the Python reference producer writes (json.dumps defaults).
const std::string python_record =
  R"({"transactionId": "6f1c2a9e-4b7d-4c3a-9e2f-1a2b3c4d5e6f", "userId": "user_42", )"
  R"("amount": 123.45, "transactionTime": 1700000000, "merchantId": "merchant_7", )"
  R"("transactionType": "purchase", "location": "Location_3", )"
  R"("paymentMethod": "credit_card", "isInternational": "True", "currency": "USD"})";

// A compact record in schema order, as txstream's encoder lays keys out.
const std::string compact_record =
  R"({"transactionId":"0d7c7c4e-2b1a-4f5e-8c9d-0123456789ab","userId":"user_000042",)"
  R"("amount":12.345,"transactionTime":1700000000123,"merchantId":"merchant_0007",)"
  R"("transactionType":"refund","location":"Berlin","paymentMethod":"paypal",)"
  R"("isInternational":false,"currency":"EUR"})";

// Byte for byte what the reference design's producers write. Python:
// json.dumps of a dict with epoch seconds and "True"/"False" strings. Java:
// Jackson over a Lombok @Data class whose `boolean isInternational` getter is
// isInternational(), which Jackson names "international".
const std::string python_reference_record =
  R"({"transactionId": "5a0f9e4c-1a55-4f44-a7b1-7f8d1e7c2b90", "userId": "user_31", )"
  R"("amount": 250.75, "transactionTime": 1796355631, "merchantId": "merchant_4", )"
  R"("transactionType": "refund", "location": "location_17", )"
  R"("paymentMethod": "paypal", "isInternational": "False", "currency": "GBP"})";
const std::string java_reference_record =
  R"({"transactionId":"8a2a8708-865c-47ce-aa23-6c6a56a03114","userId":"user68",)"
  R"("amount":399.8717136674709,"transactionTime":1796355631723,"merchantId":"merchant9",)"
  R"("transactionType":"purchase","location":"NY, USA","paymentMethod":"credit_card",)"
  R"("currency":"USD","international":false})";

decode_result decode(const std::string& text, transaction& out) {
  return transaction_decoder{}.decode(text, out);
}

// A valid record with one field's raw JSON value replaced (or the field
// removed when value is nullptr).
std::string with_field(const char* name, const char* value) {
  std::vector<std::pair<std::string, std::string>> fields = {
    {"transactionId", R"("t-1")"},
    {"userId", R"("user_1")"},
    {"amount", "10.00"},
    {"transactionTime", "1700000000000"},
    {"merchantId", R"("merchant_1")"},
    {"transactionType", R"("purchase")"},
    {"location", R"("Paris")"},
    {"paymentMethod", R"("debit_card")"},
    {"isInternational", "true"},
    {"currency", R"("EUR")"},
  };
  bool known = false;
  for (auto& kv : fields)
    known = known || kv.first == name;
  if (!known && value != nullptr)
    fields.emplace_back(name, value);
  std::string out = "{";
  for (auto& [k, v] : fields) {
    if (k == name && value == nullptr)
      continue;
    if (out.size() > 1)
      out += ',';
    out += '"' + k + "\":" + (k == name ? std::string{value} : v);
  }
  return out + "}";
}

// A transaction with random text fields (from `text`, at most the given
// lengths) and random currency, type, method and flag; amount and time are
// the caller's.
template <class Text, class Pick>
transaction random_text_transaction(Text&& text, Pick&& pick, std::size_t id_len,
                                    std::size_t name_len, std::size_t location_len) {
  transaction t;
  t.transaction_id = text(id_len);
  t.user_id = text(name_len);
  t.merchant_id = text(name_len);
  t.location = text(location_len);
  t.currency = {char('A' + pick(26)), char('A' + pick(26)), char('A' + pick(26))};
  t.type = static_cast<transaction_type>(pick(2));
  t.method = static_cast<payment_method>(pick(4));
  t.is_international = pick(2) == 1;
  return t;
}

}  // namespace

TEST_CASE("python producer records decode", "[messages]") {
  transaction t;
  auto r = decode(python_record, t);
  INFO(describe(r));
  REQUIRE(r.ok());
  CHECK(t.transaction_id == "6f1c2a9e-4b7d-4c3a-9e2f-1a2b3c4d5e6f");
  CHECK(t.user_id == "user_42");
  CHECK(t.amount_cents == 12345);
  CHECK(t.event_time_ms == 1'700'000'000'000);
  CHECK(t.merchant_id == "merchant_7");
  CHECK(t.type == transaction_type::purchase);
  CHECK(t.location == "Location_3");
  CHECK(t.method == payment_method::credit_card);
  CHECK(t.is_international);
  CHECK(t.currency == "USD");
}

TEST_CASE("compact records in schema order decode", "[messages]") {
  transaction t;
  auto r = decode(compact_record, t);
  INFO(describe(r));
  REQUIRE(r.ok());
  CHECK(t.amount_cents == 1234);
  CHECK(t.event_time_ms == 1'700'000'000'123);
  CHECK(t.type == transaction_type::refund);
  CHECK(t.method == payment_method::paypal);
  CHECK_FALSE(t.is_international);
  CHECK(t.currency == "EUR");
}

TEST_CASE("the reference producers' records decode exactly as they write them", "[messages]") {
  transaction t;
  auto r = decode(python_reference_record, t);
  INFO(describe(r));
  REQUIRE(r.ok());
  CHECK(t.user_id == "user_31");
  CHECK(t.amount_cents == 25075);
  CHECK(t.event_time_ms == 1'796'355'631'000);
  CHECK(t.type == transaction_type::refund);
  CHECK(t.location == "location_17");
  CHECK(t.method == payment_method::paypal);
  CHECK_FALSE(t.is_international);
  CHECK(t.currency == "GBP");

  r = decode(java_reference_record, t);
  INFO(describe(r));
  REQUIRE(r.ok());
  CHECK(t.transaction_id == "8a2a8708-865c-47ce-aa23-6c6a56a03114");
  CHECK(t.user_id == "user68");
  CHECK(t.amount_cents == 39987);
  CHECK(t.event_time_ms == 1'796'355'631'723);
  CHECK(t.merchant_id == "merchant9");
  CHECK(t.location == "NY, USA");
  CHECK(t.method == payment_method::credit_card);
  CHECK(t.currency == "USD");
  CHECK_FALSE(t.is_international);
  auto flipped = java_reference_record;
  flipped.replace(flipped.find("false"), 5, "true");
  REQUIRE(decode(flipped, t).ok());
  CHECK(t.is_international);
}

TEST_CASE("international and isInternational are one field", "[messages]") {
  transaction t;
  // Both present: ambiguous, like any duplicate key.
  auto both = java_reference_record;
  both.insert(both.size() - 1, R"(,"isInternational":false)");
  auto r = decode(both, t);
  CHECK(r.reason == dead_letter_reason::malformed_json);
  CHECK(r.field == transaction_field::is_international);
  CHECK(std::string{r.what} == "duplicate key");
  // Neither: the field is missing, named by its canonical key.
  auto neither = java_reference_record;
  neither.erase(neither.find(R"(,"international":false)"),
                std::string{R"(,"international":false)"}.size());
  r = decode(neither, t);
  CHECK(r.reason == dead_letter_reason::missing_field);
  CHECK(describe(r).rfind("isInternational: ", 0) == 0);
  // The Java name takes the same values as the canonical one.
  auto text = java_reference_record;
  text.replace(text.find("false"), 5, R"("True")");
  REQUIRE(decode(text, t).ok());
  CHECK(t.is_international);
  text.replace(text.find(R"("True")"), 6, "1");
  CHECK(decode(text, t).reason == dead_letter_reason::wrong_type);
}

TEST_CASE("amounts round half-even to cents from the decimal text", "[messages]") {
  auto cents = [](const char* amount) {
    transaction t;
    auto r = decode(with_field("amount", amount), t);
    INFO(amount << ": " << describe(r));
    REQUIRE(r.ok());
    return t.amount_cents;
  };
  CHECK(cents("12.345") == 1234);
  CHECK(cents("12.355") == 1236);
  CHECK(cents("0.125") == 12);
  CHECK(cents("0.135") == 14);
  CHECK(cents("0.1250000000000000000001") == 13);
  CHECK(cents("12.34499999999999999999") == 1234);
  CHECK(cents("99.99") == 9999);
  CHECK(cents("7") == 700);
  CHECK(cents("0") == 0);
  CHECK(cents("-0") == 0);
  CHECK(cents("-0.0") == 0);
  CHECK(cents("1e2") == 10000);
  CHECK(cents("1.5E+1") == 1500);
  CHECK(cents("12345e-2") == 12345);
  CHECK(cents("5e-3") == 0);
  CHECK(cents("1.5e-2") == 2);
  CHECK(cents("1e-400") == 0);
  CHECK(cents("0.005") == 0);
  CHECK(cents("0.015") == 2);
  CHECK(cents("92233720368547758.07") == INT64_MAX);
  CHECK(cents("1234.5678901234567890123456789") == 123457);
}

TEST_CASE("transaction time accepts epoch ms and epoch seconds", "[messages]") {
  auto ms = [](const char* time) {
    transaction t;
    auto r = decode(with_field("transactionTime", time), t);
    INFO(time << ": " << describe(r));
    REQUIRE(r.ok());
    return t.event_time_ms;
  };
  CHECK(ms("1700000000000") == 1'700'000'000'000);
  CHECK(ms("1700000000") == 1'700'000'000'000);
  CHECK(ms("1700000000.1234") == 1'700'000'000'123);
  CHECK(ms("1700000000.5675") == 1'700'000'000'568);
  CHECK(ms("1.7e9") == 1'700'000'000'000);
  CHECK(ms("1.7e12") == 1'700'000'000'000);
  CHECK(ms("32503679999") == 32'503'679'999'000);
  CHECK(ms("100000000000") == 100'000'000'000);
  CHECK(ms("32503680000000") == 32'503'680'000'000);
  CHECK(ms("100000000") == 100'000'000'000);
}

TEST_CASE("any key order, whitespace, extra fields and escapes", "[messages]") {
  transaction expected;
  REQUIRE(decode(compact_record, expected).ok());
  std::vector<std::string> variants = {
    // reversed key order, JSON whitespace everywhere
    " \t\r\n{ \"currency\" : \"EUR\" ,\n\"isInternational\"\t:\tfalse , "
    "\"paymentMethod\":\"paypal\", \"location\":\"Berlin\",\"transactionType\":\"refund\","
    "\"merchantId\":\"merchant_0007\",\"transactionTime\":1700000000123,\"amount\":12.345,"
    "\"userId\":\"user_000042\",\"transactionId\":\"0d7c7c4e-2b1a-4f5e-8c9d-0123456789ab\"}\n ",
    // unknown extra fields of every JSON type, nested
    R"({"schema":2,"transactionId":"0d7c7c4e-2b1a-4f5e-8c9d-0123456789ab","x":null,)"
    R"("nested":{"a":[1,2.5e3,{"b":[true,false,null,"s\"}"]}],"c":{}},"e":[],)"
    R"("userId":"user_000042","amount":12.345,"transactionTime":1700000000123,)"
    R"("merchantId":"merchant_0007","transactionType":"refund","location":"Berlin",)"
    R"("paymentMethod":"paypal","isInternational":false,"currency":"EUR","tail":"\u00e9"})",
    // escapes in keys and values
    R"({"transactionId":"0d7c7c4e-2b1a-4f5e-8c9d-0123456789ab","user\u0049d":"user_000042",)"
    R"("amount":12.345,"transactionTime":1700000000123,"merchantId":"merchant\u005f0007",)"
    R"("transactionType":"re\u0066und","location":"Ber\/lin","paymentMethod":"paypal",)"
    R"("isInternational":false,"currency":"\u0045UR"})",
  };
  for (auto& v : variants) {
    transaction t;
    auto r = decode(v, t);
    INFO(v << "\n-> " << describe(r));
    REQUIRE(r.ok());
    if (v.find("Ber\\/lin") != std::string::npos)
      expected.location = "Ber/lin";
    CHECK(t == expected);
  }
}

TEST_CASE("strings decode escapes and UTF-8", "[messages]") {
  transaction t;
  auto r = decode(with_field("location", R"("S\u00e3o Paulo \ud83d\ude00 \"q\" \\ \n Zürich")"), t);
  INFO(describe(r));
  REQUIRE(r.ok());
  CHECK(t.location == "S\xc3\xa3o Paulo \xf0\x9f\x98\x80 \"q\" \\ \n Z\xc3\xbcrich");
}

// Strings are scanned 16 bytes at a time while 16 remain: a special byte
// (quote, escape, control, non-ASCII) must be found at every position of a
// block, in the bytewise tail, and right at the end of the payload.
TEST_CASE("special bytes are found at every position of a string", "[messages]") {
  for (std::size_t len = 0; len <= 40; ++len) {
    for (std::size_t at = 0; at <= len; ++at) {
      std::string head(at, 'a');
      std::string tail(len - at, 'b');
      INFO("length " << len << ", special byte at " << at);
      transaction t;
      // An escaped quote decodes to a quote.
      REQUIRE(decode(with_field("location", ('"' + head + "\\\"" + tail + '"').c_str()), t).ok());
      CHECK(t.location == head + '"' + tail);
      // Two-byte UTF-8 is kept as is.
      REQUIRE(
        decode(with_field("location", ('"' + head + "\xc3\xa9" + tail + '"').c_str()), t).ok());
      CHECK(t.location == head + "\xc3\xa9" + tail);
      // A raw control character is malformed JSON, reported at its byte.
      auto text = with_field("location", ('"' + head + '\t' + tail + '"').c_str());
      auto r = decode(text, t);
      CHECK(r.reason == dead_letter_reason::malformed_json);
      CHECK(r.offset == text.find('\t'));
      // A lone continuation byte is invalid UTF-8.
      r = decode(with_field("location", ('"' + head + '\x80' + tail + '"').c_str()), t);
      CHECK(r.reason == dead_letter_reason::invalid_utf8);
    }
  }
  // A string left open, whatever its length: no read past the payload.
  for (std::size_t len = 0; len <= 40; ++len) {
    transaction t;
    auto r = decode(R"({"location":")" + std::string(len, 'x'), t);
    CHECK(r.reason == dead_letter_reason::malformed_json);
    CHECK(std::string{r.what} == "unterminated string");
  }
}

// Keys in schema order take a literal fast path; a duplicate, spacing or an
// escaped key at the expected position must still be seen as such.
TEST_CASE("keys in schema order decode like any other order", "[messages]") {
  transaction expected;
  REQUIRE(decode(compact_record, expected).ok());
  auto variant = [&](const std::string& from, const std::string& to) {
    auto text = compact_record;
    auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
  };
  transaction t;
  for (const auto& text :
       {variant(R"("userId":)", R"("userId" :)"), variant(R"("userId":)", R"("userId":)"),
        variant(R"("amount":)", R"("extra":1,"amount":)")}) {
    INFO(text);
    REQUIRE(decode(text, t).ok());
    CHECK(t == expected);
  }
  auto dup = variant(R"("userId":"user_000042",)",
                     R"("transactionId":"x","userId":"user_000042",)");
  auto r = decode(dup, t);
  CHECK(r.reason == dead_letter_reason::malformed_json);
  CHECK(r.field == transaction_field::transaction_id);
  CHECK(std::string{r.what} == "duplicate key");
  // A truncated expected key is not taken for the key.
  r = decode(R"({"transactionId":"t","user)", t);
  CHECK(r.reason == dead_letter_reason::malformed_json);
}

TEST_CASE("decoding into a reused transaction does not keep stale data", "[messages]") {
  transaction t;
  REQUIRE(decode(compact_record, t).ok());
  REQUIRE(decode(python_record, t).ok());
  transaction fresh;
  REQUIRE(decode(python_record, fresh).ok());
  CHECK(t == fresh);
}

TEST_CASE("malformed inputs are rejected with a precise reason", "[messages]") {
  using r = dead_letter_reason;
  using f = transaction_field;
  const std::string big_string(129, 'x');
  const std::string ok = with_field("currency", R"("EUR")");
  std::string deep = with_field("extra", nullptr);
  deep.pop_back();
  deep += R"(,"extra":)" + std::string(40, '[') + std::string(40, ']') + "}";
  std::string huge = ok;
  huge.insert(1, "\"pad\":\"" + std::string(70'000, 'p') + "\",");
  std::vector<std::tuple<std::string, r, f>> cases = {
    // syntax
    {"", r::malformed_json, f::none},
    {"   ", r::malformed_json, f::none},
    {"{", r::malformed_json, f::none},
    {"{\"transactionId\"", r::malformed_json, f::none},
    {"{\"transactionId\":", r::malformed_json, f::none},
    {"{\"transactionId\":\"abc", r::malformed_json, f::none},
    {ok + "x", r::malformed_json, f::none},
    {ok + "{}", r::malformed_json, f::none},
    {ok.substr(0, ok.size() - 1), r::malformed_json, f::none},
    {"{'transactionId':'t'}", r::malformed_json, f::none},
    {with_field("amount", "01.5"), r::malformed_json, f::none},
    {with_field("amount", "1."), r::malformed_json, f::amount},
    {with_field("amount", ".5"), r::malformed_json, f::none},
    {with_field("amount", "1e"), r::malformed_json, f::amount},
    {with_field("amount", "+1"), r::malformed_json, f::none},
    {with_field("extra", "tru"), r::malformed_json, f::none},
    {with_field("extra", "[1,]"), r::malformed_json, f::none},
    {with_field("extra", "{\"a\" 1}"), r::malformed_json, f::none},
    {with_field("extra", "NaN"), r::malformed_json, f::none},
    {with_field("location", "\"a\tb\""), r::malformed_json, f::none},
    {with_field("location", R"("bad \x escape")"), r::malformed_json, f::none},
    {with_field("location", R"("\u12G4")"), r::malformed_json, f::none},
    {with_field("extra", R"("\q")"), r::malformed_json, f::none},
    {with_field("currency", "\"EUR\",,\"x\":1"), r::malformed_json, f::none},
    {with_field("currency", "\"EUR\",\"currency\":\"EUR\""), r::malformed_json, f::currency},
    {with_field("amount", "-5 garbage"), r::malformed_json, f::none},
    // not an object
    {"[]", r::not_object, f::none},
    {"\"text\"", r::not_object, f::none},
    {" 42 ", r::not_object, f::none},
    {"null", r::not_object, f::none},
    {"[1,2", r::malformed_json, f::none},
    // missing fields
    {"{}", r::missing_field, f::transaction_id},
    {with_field("amount", nullptr), r::missing_field, f::amount},
    {with_field("currency", nullptr), r::missing_field, f::currency},
    {with_field("isInternational", nullptr), r::missing_field, f::is_international},
    // wrong types
    {with_field("transactionId", "42"), r::wrong_type, f::transaction_id},
    {with_field("userId", "null"), r::wrong_type, f::user_id},
    {with_field("merchantId", "[\"m\"]"), r::wrong_type, f::merchant_id},
    {with_field("isInternational", "1"), r::wrong_type, f::is_international},
    {with_field("isInternational", "\"yes\""), r::wrong_type, f::is_international},
    {with_field("isInternational", "null"), r::wrong_type, f::is_international},
    {with_field("transactionType", "1"), r::wrong_type, f::transaction_type},
    {with_field("currency", "840"), r::wrong_type, f::currency},
    {with_field("amount", "true"), r::wrong_type, f::amount},
    {with_field("amount", "{\"value\":1}"), r::wrong_type, f::amount},
    // empty strings
    {with_field("transactionId", "\"\""), r::empty_field, f::transaction_id},
    {with_field("location", "\"\""), r::empty_field, f::location},
    // amounts
    {with_field("amount", "-0.01"), r::bad_amount, f::amount},
    {with_field("amount", "-12"), r::bad_amount, f::amount},
    {with_field("amount", "\"12.34\""), r::bad_amount, f::amount},
    {with_field("amount", "NaN"), r::bad_amount, f::amount},
    {with_field("amount", "Infinity"), r::bad_amount, f::amount},
    {with_field("amount", "-Infinity"), r::bad_amount, f::amount},
    {with_field("amount", "92233720368547758.08"), r::bad_amount, f::amount},
    {with_field("amount", "1e400"), r::bad_amount, f::amount},
    {with_field("amount", "100000000000000000000"), r::bad_amount, f::amount},
    // times
    {with_field("transactionTime", "0"), r::bad_time, f::transaction_time},
    {with_field("transactionTime", "-1700000000"), r::bad_time, f::transaction_time},
    {with_field("transactionTime", "\"1700000000\""), r::bad_time, f::transaction_time},
    {with_field("transactionTime", "null"), r::bad_time, f::transaction_time},
    {with_field("transactionTime", "32503680000001"), r::bad_time, f::transaction_time},
    {with_field("transactionTime", "1e300"), r::bad_time, f::transaction_time},
    {with_field("transactionTime", "99999999999"), r::bad_time, f::transaction_time},
    {with_field("transactionTime", "99999999"), r::bad_time, f::transaction_time},
    {with_field("transactionTime", "5000"), r::bad_time, f::transaction_time},
    {with_field("transactionTime", "NaN"), r::bad_time, f::transaction_time},
    {with_field("transactionTime", "0.0001"), r::bad_time, f::transaction_time},
    // enums
    {with_field("transactionType", "\"PURCHASE\""), r::bad_enum, f::transaction_type},
    {with_field("transactionType", "\"\""), r::bad_enum, f::transaction_type},
    {with_field("transactionType", "\"purchase_and_much_longer\""), r::bad_enum,
     f::transaction_type},
    {with_field("paymentMethod", "\"cash\""), r::bad_enum, f::payment_method},
    {with_field("paymentMethod", "\"Credit_Card\""), r::bad_enum, f::payment_method},
    // currencies
    {with_field("currency", "\"usd\""), r::bad_currency, f::currency},
    {with_field("currency", "\"US\""), r::bad_currency, f::currency},
    {with_field("currency", "\"USDT\""), r::bad_currency, f::currency},
    {with_field("currency", "\"U5D\""), r::bad_currency, f::currency},
    {with_field("currency", "\"\""), r::bad_currency, f::currency},
    // limits
    {huge, r::too_large, f::none},
    {with_field("userId", ("\"" + big_string + "\"").c_str()), r::too_large, f::user_id},
    {deep, r::too_large, f::none},
    // UTF-8
    {with_field("location", "\"Z\xfcrich\""), r::invalid_utf8, f::none},
    {with_field("location", "\"\xc0\xaf\""), r::invalid_utf8, f::none},
    {with_field("location", "\"\xed\xa0\x80\""), r::invalid_utf8, f::none},
    {with_field("location", "\"\xe2\x82\""), r::invalid_utf8, f::none},
    {with_field("extra", "\"\xf5\x80\x80\x80\""), r::invalid_utf8, f::none},
    {with_field("location", R"("\ud83d")"), r::invalid_utf8, f::none},
    {with_field("location", R"("\ude00")"), r::invalid_utf8, f::none},
    {"\xff", r::malformed_json, f::none},
    // precedence: bad JSON later in the record beats an earlier field error
    {with_field("amount", "-1,\"x\":[}"), r::malformed_json, f::none},
    // first field error in text order wins
    {R"({"amount":-1,"currency":"usd","transactionId":"t","userId":"u","transactionTime":1,)"
     R"("merchantId":"m","transactionType":"refund","location":"L","paymentMethod":"paypal",)"
     R"("isInternational":true})",
     r::bad_amount, f::amount},
  };
  REQUIRE(cases.size() >= 40);
  transaction_decoder dec;
  for (auto& [input, reason, field] : cases) {
    transaction t;
    auto res = dec.decode(input, t);
    INFO("input: " << (input.size() > 200 ? input.substr(0, 200) + "..." : input));
    INFO("got: " << to_string(res.reason) << " / " << describe(res));
    CHECK(res.reason == reason);
    if (field != f::none)
      CHECK(res.field == field);
    CHECK(res.offset <= input.size());
  }
}

TEST_CASE("the limits are configurable", "[messages]") {
  decoder_limits lim;
  lim.max_payload = 100;
  transaction t;
  CHECK(transaction_decoder{lim}.decode(compact_record, t).reason == dead_letter_reason::too_large);
  lim.max_payload = 64 * 1024;
  lim.max_string = 5;
  auto r = transaction_decoder{lim}.decode(compact_record, t);
  CHECK(r.reason == dead_letter_reason::too_large);
  CHECK(r.field == transaction_field::transaction_id);
}

TEST_CASE("describe names the field, the problem and the byte", "[messages]") {
  transaction t;
  auto r = decode(with_field("amount", "-3"), t);
  CHECK(describe(r) == "amount: negative amount (byte " + std::to_string(r.offset) + ")");
  CHECK(std::string{to_string(transaction_field::transaction_time)} == "transactionTime");
}

TEST_CASE("random valid transactions decode to what was encoded", "[messages]") {
  std::mt19937_64 rng{20240601};
  auto pick = [&](std::uint64_t n) { return rng() % n; };
  auto text = [&](std::size_t max_len) {
    static const std::vector<std::string> pieces = {"a",
                                                    "Z",
                                                    "0",
                                                    "_",
                                                    "-",
                                                    " ",
                                                    "\"",
                                                    "\\",
                                                    "/",
                                                    "\n",
                                                    "\t",
                                                    "\x01",
                                                    "\xc3\xa9",
                                                    "\xe2\x82\xac",
                                                    "\xf0\x9f\x98\x80",
                                                    "\x7f"};
    std::string s;
    auto n = 1 + pick(max_len);
    while (s.size() < n)
      s += pieces[pick(pieces.size())];
    return s;
  };
  transaction_decoder dec;
  transaction back;
  std::string buf;
  for (int i = 0; i < 20'000; ++i) {
    auto t = random_text_transaction(text, pick, 40, 20, 30);
    t.amount_cents = i % 7 == 0 ? static_cast<std::int64_t>(rng() >> 1)
                                : static_cast<std::int64_t>(pick(10'000'000));
    t.event_time_ms = 100'000'000'000 + static_cast<std::int64_t>(pick(32'000'000'000'000));
    buf.clear();
    encode_json(t, buf);
    auto r = dec.decode(buf, back);
    INFO(buf << "\n-> " << describe(r));
    REQUIRE(r.ok());
    REQUIRE(back == t);
  }
}

TEST_CASE("parse_scaled exposes the exact decimal conversion", "[messages]") {
  CHECK(parse_scaled("12.345", 2) == 1234);
  CHECK(parse_scaled("2.5", 0) == 2);
  CHECK(parse_scaled("3.5", 0) == 4);
  CHECK_FALSE(parse_scaled("-1", 2).has_value());
  CHECK_FALSE(parse_scaled("1.2.3", 2).has_value());
  CHECK_FALSE(parse_scaled("1e30", 2).has_value());
}

TEST_CASE("plain decimals convert the same as their exponent forms", "[messages]") {
  // "123.45" takes scale_decimal's fast path (no sign, no exponent, few
  // digits); "12345e-2" the general one. Both must agree on every value,
  // including the bounds of the fast path (18 digits in all).
  std::mt19937_64 rng{7};
  std::uniform_int_distribution<int> digit{0, 9};
  std::uniform_int_distribution<int> length{0, 19};
  for (int i = 0; i < 20000; ++i) {
    const int scale = i % 4;
    std::string int_part = std::to_string(1 + digit(rng));
    for (int k = length(rng); k > 0; --k)
      int_part += static_cast<char>('0' + digit(rng));
    std::string frac;
    for (int k = i % 6; k > 0; --k)
      frac += static_cast<char>('0' + digit(rng));
    const auto plain = frac.empty() ? int_part : int_part + "." + frac;
    const auto exp_form = int_part + frac + "e-" + std::to_string(frac.size());
    INFO(plain << " at scale " << scale);
    CHECK(parse_scaled(plain, scale) == parse_scaled(exp_form, scale));
  }
  CHECK(parse_scaled("999999999999999999", 0) == 999999999999999999);
  CHECK(parse_scaled("9999999999999999.99", 2) == 999999999999999999);
  CHECK(parse_scaled("0.5", 2) == 50);
  CHECK(parse_scaled("0", 3) == 0);
  CHECK(parse_scaled("1700000000123", 0) == 1700000000123);
  CHECK(parse_scaled("1700000000.5", 3) == 1700000000500);
}

TEST_CASE("the canonical-layout fast path decodes exactly like the general parser", "[messages]") {
  // Canonical records (mostly plain strings, so the fast path takes them),
  // then one random edit each: a changed, deleted or inserted byte, or a cut.
  // decode() must give what the general parser alone gives, error or value.
  std::mt19937_64 rng{20261127};
  auto pick = [&](std::uint64_t n) { return rng() % n; };
  auto text = [&](std::size_t max_len) {
    static const std::vector<std::string> pieces = {"a", "Z",    "0",  "_",  "-",        " ",
                                                    "/", "\x7f", "\"", "\\", "\xc3\xa9", "\x01"};
    std::string s;
    auto n = pick(max_len + 1);
    while (s.size() < n)
      s += pieces[pick(pick(4) == 0 ? pieces.size() : 8)];
    return s;
  };
  static const std::string edits = "\"\\ 0159.eE-+,:}{atfnu\x01\xc3";
  decoder_limits limits;
  limits.max_string = 24;  // some ids over the limit
  transaction_decoder dec{limits};
  transaction fast;
  transaction general;
  std::string buf;
  std::size_t fast_ok = 0;
  for (int i = 0; i < 50'000; ++i) {
    auto t = random_text_transaction(text, pick, 36, 14, 20);
    t.amount_cents = pick(5) == 0 ? static_cast<std::int64_t>(rng() >> 1)
                                  : static_cast<std::int64_t>(pick(10'000'000));
    t.event_time_ms = pick(10) == 0
                        ? static_cast<std::int64_t>(pick(200'000'000'000))
                        : 100'000'000'000 + static_cast<std::int64_t>(pick(32'500'000'000'000));
    buf.clear();
    encode_json(t, buf);
    switch (pick(5)) {
      case 0: break;
      case 1: buf[pick(buf.size())] = edits[pick(edits.size())]; break;
      case 2: buf.erase(pick(buf.size()), 1); break;
      case 3: buf.insert(pick(buf.size() + 1), 1, edits[pick(edits.size())]); break;
      default: buf.resize(pick(buf.size()));
    }
    auto a = dec.decode(buf, fast);
    auto b = dec.decode_general(buf, general);
    INFO(buf << "\n-> " << describe(a) << " / " << describe(b));
    REQUIRE(a.reason == b.reason);
    REQUIRE(a.field == b.field);
    REQUIRE(a.offset == b.offset);
    REQUIRE(std::string{a.what} == b.what);
    if (a.ok()) {
      REQUIRE(fast == general);
      ++fast_ok;
    }
  }
  CHECK(fast_ok > 5'000);  // plenty of records decoded whole (~8 k)
}
