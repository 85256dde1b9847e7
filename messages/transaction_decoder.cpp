#include "messages/transaction_decoder.hpp"

#include <cstring>
#include <iterator>
#include <string_view>

#include "messages/decimal.hpp"
#include "messages/json_scan.hpp"
#include "messages/utf8.hpp"

namespace txstream {

namespace {

using reason = dead_letter_reason;
using field = transaction_field;

constexpr std::int64_t max_event_time_ms = 32'503'680'000'000;  // 3000-01-01
constexpr std::int64_t seconds_limit_ms = 100'000'000'000'000;  // 1e11 s
// Below 1e11 a number reads as seconds, so the smallest time that survives
// encode (ms) -> decode is 1e11 ms (1973-03-03); earlier ones are rejected.
constexpr std::int64_t min_event_time_ms = 100'000'000'000;

constexpr std::uint16_t bit(field f) {
  return static_cast<std::uint16_t>(1u << static_cast<unsigned>(f));
}

constexpr std::uint16_t all_fields = 0x7FE;  // bits 1..10

// Output sinks for string contents. `append` may be told more than fits;
// the sink then remembers the overflow and stops storing.
struct null_sink {
  void append(const char*, std::size_t) noexcept {
  }
};

struct string_sink {
  std::string& str;
  std::size_t cap;
  bool overflow = false;

  void append(const char* data, std::size_t n) noexcept {
    if (overflow || str.size() + n > cap) {
      overflow = true;
      return;
    }
    str.append(data, n);  // within cap, so no allocation once warmed up
  }
};

template <std::size_t N>
struct fixed_sink {
  char buf[N];
  std::size_t size = 0;
  bool overflow = false;
  std::size_t cap = N;  // may be set lower

  void append(const char* data, std::size_t n) noexcept {
    if (overflow || size + n > cap) {
      overflow = true;
      return;
    }
    std::memcpy(buf + size, data, n);
    size += n;
  }

  bool equals(const char* lit, std::size_t n) const noexcept {
    return !overflow && size == n && std::memcmp(buf, lit, n) == 0;
  }

  std::string_view view() const noexcept {
    return {buf, size};
  }
};

// Keys are at most 15 bytes; anything longer is an unknown key.
using key_sink = fixed_sink<16>;

field match_key(const key_sink& k) noexcept {
  if (k.overflow)
    return field::none;
  auto is = [&](const char* lit) { return std::memcmp(k.buf, lit, k.size) == 0; };
  switch (k.size) {
    case 6: return is("userId") ? field::user_id : is("amount") ? field::amount : field::none;
    case 8:
      return is("location") ? field::location : is("currency") ? field::currency : field::none;
    case 10: return is("merchantId") ? field::merchant_id : field::none;
    case 13:
      // "international": the reference Java producer's name for
      // isInternational (Jackson drops the "is" of a Lombok boolean getter).
      return is("transactionId")   ? field::transaction_id
             : is("paymentMethod") ? field::payment_method
             : is("international") ? field::is_international
                                   : field::none;
    case 15:
      return is("transactionTime")   ? field::transaction_time
             : is("transactionType") ? field::transaction_type
             : is("isInternational") ? field::is_international
                                     : field::none;
    default: return field::none;
  }
}

bool is_ws(int c) noexcept {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

std::size_t encode_utf8(std::uint32_t cp, char* buf) noexcept {
  if (cp < 0x80) {
    buf[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    buf[0] = static_cast<char>(0xC0 | (cp >> 6));
    buf[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    buf[0] = static_cast<char>(0xE0 | (cp >> 12));
    buf[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[2] = static_cast<char>(0x80 | (cp & 0x3F));
    return 3;
  }
  buf[0] = static_cast<char>(0xF0 | (cp >> 18));
  buf[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  buf[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  buf[3] = static_cast<char>(0x80 | (cp & 0x3F));
  return 4;
}

// One decode. Functions returning bool return false on a fatal error (the
// text is not valid JSON), recorded in fatal_; field errors go to soft_ and
// scanning continues so that a later syntax error still wins.
class parser {
public:
  parser(std::string_view in, const decoder_limits& limits, transaction& out) noexcept
    : begin_(in.data()), p_(in.data()), end_(in.data() + in.size()), limits_(limits), out_(out) {
    // nop
  }

  decode_result run() noexcept {
    if (static_cast<std::size_t>(end_ - begin_) > limits_.max_payload)
      return {reason::too_large, field::none, 0, "payload larger than the limit"};
    skip_ws();
    if (p_ == end_)
      return {reason::malformed_json, field::none, 0, "empty payload"};
    if (*p_ != '{') {
      if (!skip_value(0) || !at_end())
        return fatal_;
      return {reason::not_object, field::none, 0, "top-level value is not an object"};
    }
    if (!parse_object() || !at_end())
      return fatal_;
    if (!soft_.ok())
      return soft_;
    if (seen_ != all_fields) {
      for (unsigned i = 1; i <= 10; ++i) {
        auto f = static_cast<field>(i);
        if ((seen_ & bit(f)) == 0)
          return {reason::missing_field, f, offset(), "required field missing"};
      }
    }
    return {};
  }

private:
  // -- helpers ----------------------------------------------------------------

  std::uint32_t offset() const noexcept {
    return static_cast<std::uint32_t>(p_ - begin_);
  }

  int peek() const noexcept {
    return p_ < end_ ? static_cast<unsigned char>(*p_) : -1;
  }

  void skip_ws() noexcept {
    while (p_ < end_ && is_ws(static_cast<unsigned char>(*p_)))
      ++p_;
  }

  bool fail(reason r, const char* what, field f = field::none) noexcept {
    fatal_ = {r, f, offset(), what};
    return false;
  }

  void soft(reason r, field f, const char* what, std::uint32_t at) noexcept {
    if (soft_.ok())
      soft_ = {r, f, at, what};
  }

  bool at_end() noexcept {
    skip_ws();
    return p_ == end_ || fail(reason::malformed_json, "trailing characters after the value");
  }

  bool expect(char c, const char* what) noexcept {
    if (peek() != c)
      return fail(reason::malformed_json, what);
    ++p_;
    return true;
  }

  bool literal(const char* word, std::size_t n) noexcept {
    if (static_cast<std::size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0)
      return fail(reason::malformed_json, "invalid literal");
    p_ += n;
    return true;
  }

  // -- strings ----------------------------------------------------------------

  // Parses a string at p_ (which is '"') into sink, validating escapes,
  // control characters and UTF-8.
  template <class Sink>
  bool parse_string(Sink& sink) noexcept {
    ++p_;
    const char* run = p_;
    // Fast path: plain ASCII up to the closing quote, 16 bytes at a time
    // while 16 remain (never reading past the payload), then bytewise.
    p_ = skip_plain_ascii(p_, end_);
    while (p_ < end_) {
      auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        sink.append(run, static_cast<std::size_t>(p_ - run));
        ++p_;
        return true;
      }
      if (c == '\\' || c < 0x20 || c >= 0x80)
        break;
      ++p_;
    }
    sink.append(run, static_cast<std::size_t>(p_ - run));
    for (;;) {
      if (p_ >= end_)
        return fail(reason::malformed_json, "unterminated string");
      auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20)
        return fail(reason::malformed_json, "control character in string");
      if (c == '\\') {
        if (!parse_escape(sink))
          return false;
      } else if (c >= 0x80) {
        auto up = reinterpret_cast<const unsigned char*>(p_);
        auto n = utf8_sequence_length(up, reinterpret_cast<const unsigned char*>(end_));
        if (n == 0)
          return fail(reason::invalid_utf8, "invalid UTF-8 in string");
        sink.append(p_, n);
        p_ += n;
      } else {
        sink.append(p_, 1);
        ++p_;
      }
    }
  }

  bool read_hex4(std::uint32_t& cp) noexcept {
    if (end_ - p_ < 4)
      return fail(reason::malformed_json, "truncated \\u escape");
    cp = 0;
    for (int i = 0; i < 4; ++i) {
      int h = hex_value(p_[i]);
      if (h < 0)
        return fail(reason::malformed_json, "bad \\u escape");
      cp = cp * 16 + static_cast<std::uint32_t>(h);
    }
    p_ += 4;
    return true;
  }

  template <class Sink>
  bool parse_escape(Sink& sink) noexcept {
    ++p_;  // backslash
    if (p_ >= end_)
      return fail(reason::malformed_json, "unterminated string");
    char c = *p_++;
    char out = 0;
    switch (c) {
      case '"': out = '"'; break;
      case '\\': out = '\\'; break;
      case '/': out = '/'; break;
      case 'b': out = '\b'; break;
      case 'f': out = '\f'; break;
      case 'n': out = '\n'; break;
      case 'r': out = '\r'; break;
      case 't': out = '\t'; break;
      case 'u': {
        std::uint32_t cp = 0;
        if (!read_hex4(cp))
          return false;
        if (cp >= 0xDC00 && cp <= 0xDFFF)
          return fail(reason::invalid_utf8, "unpaired low surrogate escape");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          std::uint32_t lo = 0;
          if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u')
            return fail(reason::invalid_utf8, "unpaired high surrogate escape");
          p_ += 2;
          if (!read_hex4(lo))
            return false;
          if (lo < 0xDC00 || lo > 0xDFFF)
            return fail(reason::invalid_utf8, "unpaired high surrogate escape");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        char buf[4];
        sink.append(buf, encode_utf8(cp, buf));
        return true;
      }
      default: --p_; return fail(reason::malformed_json, "bad escape in string");
    }
    sink.append(&out, 1);
    return true;
  }

  // -- generic values ---------------------------------------------------------

  bool skip_number() noexcept {
    json_number n;
    auto next = scan_json_number(p_, end_, n);
    if (next == nullptr)
      return fail(reason::malformed_json, "invalid number");
    p_ = next;
    return true;
  }

  // Validates and skips any JSON value.
  bool skip_value(std::size_t depth) noexcept {
    switch (peek()) {
      case '"': {
        null_sink sink;
        return parse_string(sink);
      }
      case '{': return skip_container(depth, '}');
      case '[': return skip_container(depth, ']');
      case 't': return literal("true", 4);
      case 'f': return literal("false", 5);
      case 'n': return literal("null", 4);
      case '-':
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
      case '8':
      case '9': return skip_number();
      case -1: return fail(reason::malformed_json, "unexpected end of input");
      default: return fail(reason::malformed_json, "unexpected character");
    }
  }

  bool skip_container(std::size_t depth, char close) noexcept {
    if (depth >= limits_.max_depth)
      return fail(reason::too_large, "nesting deeper than the limit");
    ++p_;
    skip_ws();
    if (peek() == close) {
      ++p_;
      return true;
    }
    for (;;) {
      if (close == '}') {
        if (peek() != '"')
          return fail(reason::malformed_json, "expected a key");
        null_sink sink;
        if (!parse_string(sink))
          return false;
        skip_ws();
        if (!expect(':', "expected ':'"))
          return false;
        skip_ws();
      }
      if (!skip_value(depth + 1))
        return false;
      skip_ws();
      int c = peek();
      if (c == close) {
        ++p_;
        return true;
      }
      if (c != ',')
        return fail(reason::malformed_json,
                    close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
      ++p_;
      skip_ws();
    }
  }

  // -- the transaction object -------------------------------------------------

  bool parse_object() noexcept {
    ++p_;
    skip_ws();
    if (peek() == '}') {
      ++p_;
      return true;
    }
    for (;;) {
      field f = field::none;
      if (!take_expected_key(f)) {
        if (peek() != '"')
          return fail(reason::malformed_json, "expected a key");
        key_sink key;
        if (!parse_string(key))
          return false;
        skip_ws();
        if (!expect(':', "expected ':'"))
          return false;
        f = match_key(key);
      }
      skip_ws();
      if (f == field::none) {
        if (!skip_value(1))
          return false;
      } else {
        if ((seen_ & bit(f)) != 0)
          return fail(reason::malformed_json, "duplicate key", f);
        seen_ |= bit(f);
        last_ = f;
        if (!parse_field(f))
          return false;
      }
      skip_ws();
      int c = peek();
      if (c == '}') {
        ++p_;
        return true;
      }
      if (c != ',')
        return fail(reason::malformed_json, "expected ',' or '}'");
      ++p_;
      skip_ws();
    }
  }

  // Producers write the keys in schema order, so the key after field last_
  // is tried first as one literal, quotes and colon included; on a match it
  // needs no string scan. Anything else (another order, escapes, spaces)
  // takes the general path, with the same result. Each literal's length is a
  // compile-time constant, so the compare is a few loads, not a memcmp call
  // (those calls were ~3 % of the node's CPU).
  bool take_expected_key(field& f) noexcept {
    switch (static_cast<field>(static_cast<unsigned>(last_) + 1)) {
      case field::transaction_id: return take_key("\"transactionId\":", field::transaction_id, f);
      case field::user_id: return take_key("\"userId\":", field::user_id, f);
      case field::amount: return take_key("\"amount\":", field::amount, f);
      case field::transaction_time:
        return take_key("\"transactionTime\":", field::transaction_time, f);
      case field::merchant_id: return take_key("\"merchantId\":", field::merchant_id, f);
      case field::transaction_type:
        return take_key("\"transactionType\":", field::transaction_type, f);
      case field::location: return take_key("\"location\":", field::location, f);
      case field::payment_method: return take_key("\"paymentMethod\":", field::payment_method, f);
      case field::is_international:
        return take_key("\"isInternational\":", field::is_international, f);
      case field::currency: return take_key("\"currency\":", field::currency, f);
      default: return false;
    }
  }

  template <std::size_t N>
  bool take_key(const char (&quoted)[N], field expected, field& f) noexcept {
    constexpr std::size_t n = N - 1;
    if (static_cast<std::size_t>(end_ - p_) < n || std::memcmp(p_, quoted, n) != 0)
      return false;
    p_ += n;
    f = expected;
    return true;
  }

  bool parse_field(field f) noexcept {
    switch (f) {
      case field::transaction_id: return parse_id(f, out_.transaction_id);
      case field::user_id: return parse_id(f, out_.user_id);
      case field::merchant_id: return parse_id(f, out_.merchant_id);
      case field::location: return parse_id(f, out_.location);
      case field::amount: return parse_amount();
      case field::transaction_time: return parse_time();
      case field::transaction_type: return parse_type();
      case field::payment_method: return parse_method();
      case field::is_international: return parse_international();
      case field::currency: return parse_currency();
      default: return skip_value(1);
    }
  }

  // Records a field error and skips the value, which must still be valid.
  bool reject(reason r, field f, const char* what) noexcept {
    soft(r, f, what, offset());
    return skip_value(1);
  }

  bool parse_id(field f, std::string& dst) noexcept {
    dst.clear();
    string_sink sink{dst, limits_.max_string};
    return parse_id_into(f, sink, [&] { return dst.empty(); });
  }

  // The transactionId: parsed on the stack, then stored inline.
  bool parse_id(field f, compact_string& dst) noexcept {
    constexpr std::size_t stack_limit = 256;
    if (limits_.max_string > stack_limit) {
      std::string tmp;
      if (!parse_id(f, tmp))
        return false;
      dst.assign(tmp);
      return true;
    }
    fixed_sink<stack_limit> sink;
    sink.cap = limits_.max_string;
    if (!parse_id_into(f, sink, [&] { return sink.size == 0; }))
      return false;
    dst.assign(sink.view());
    return true;
  }

  template <class Sink, class IsEmpty>
  bool parse_id_into(field f, Sink& sink, IsEmpty is_empty) noexcept {
    if (peek() != '"')
      return reject(reason::wrong_type, f, "expected a string");
    auto at = offset();
    if (!parse_string(sink))
      return false;
    if (sink.overflow)
      soft(reason::too_large, f, "string longer than the limit", at);
    else if (is_empty())
      soft(reason::empty_field, f, "empty string", at);
    return true;
  }

  // Python's json module writes NaN and +-Infinity as bare words; they are
  // bad numbers here, not bad JSON.
  bool non_finite_word(field f, reason r) noexcept {
    auto rest = static_cast<std::size_t>(end_ - p_);
    for (auto w : {"NaN", "Infinity", "-Infinity"}) {
      auto n = std::strlen(w);
      if (rest >= n && std::memcmp(p_, w, n) == 0) {
        soft(r, f, "not a finite number", offset());
        p_ += n;
        return true;
      }
    }
    return false;
  }

  bool parse_amount() noexcept {
    int c = peek();
    if (c == '"')
      return reject(reason::bad_amount, field::amount, "amount is a string");
    if (c == 'N' || c == 'I' || (c == '-' && end_ - p_ > 1 && p_[1] == 'I')) {
      if (non_finite_word(field::amount, reason::bad_amount))
        return true;
    }
    if (c != '-' && (c < '0' || c > '9'))
      return reject(reason::wrong_type, field::amount, "expected a number");
    auto at = offset();
    json_number n;
    auto next = scan_json_number(p_, end_, n);
    if (next == nullptr)
      return fail(reason::malformed_json, "invalid number", field::amount);
    p_ = next;
    switch (scale_decimal(n, 2, out_.amount_cents)) {
      case decimal_status::ok: break;
      case decimal_status::negative:
        soft(reason::bad_amount, field::amount, "negative amount", at);
        break;
      case decimal_status::overflow:
        soft(reason::bad_amount, field::amount, "amount beyond int64 cents", at);
        break;
    }
    return true;
  }

  bool parse_time() noexcept {
    int c = peek();
    if (c == 'N' || c == 'I' || (c == '-' && end_ - p_ > 1 && p_[1] == 'I')) {
      if (non_finite_word(field::transaction_time, reason::bad_time))
        return true;
    }
    if (c != '-' && (c < '0' || c > '9'))
      return reject(reason::bad_time, field::transaction_time, "expected a number");
    auto at = offset();
    json_number n;
    auto next = scan_json_number(p_, end_, n);
    if (next == nullptr)
      return fail(reason::malformed_json, "invalid number", field::transaction_time);
    p_ = next;
    // Values below 1e11 are epoch seconds (the Python producer), possibly
    // with a fraction; larger ones are epoch milliseconds.
    std::int64_t ms = 0;
    auto st = scale_decimal(n, 3, ms);
    if (st == decimal_status::ok && ms >= seconds_limit_ms)
      st = scale_decimal(n, 0, ms);
    if (st == decimal_status::negative)
      soft(reason::bad_time, field::transaction_time, "negative time", at);
    else if (st == decimal_status::overflow || ms > max_event_time_ms)
      soft(reason::bad_time, field::transaction_time, "time after year 3000", at);
    else if (ms < min_event_time_ms)
      soft(reason::bad_time, field::transaction_time, "time before 1973-03-03", at);
    else
      out_.event_time_ms = ms;
    return true;
  }

  template <std::size_t N>
  bool parse_short_string(field f, fixed_sink<N>& sink) noexcept {
    if (peek() != '"')
      return reject(reason::wrong_type, f, "expected a string");
    return parse_string(sink);
  }

  bool parse_type() noexcept {
    auto at = offset();
    fixed_sink<16> s;
    if (!parse_short_string(field::transaction_type, s))
      return false;
    if (s.equals("purchase", 8))
      out_.type = transaction_type::purchase;
    else if (s.equals("refund", 6))
      out_.type = transaction_type::refund;
    else
      soft(reason::bad_enum, field::transaction_type, "not purchase or refund", at);
    return true;
  }

  bool parse_method() noexcept {
    auto at = offset();
    fixed_sink<16> s;
    if (!parse_short_string(field::payment_method, s))
      return false;
    if (s.equals("credit_card", 11))
      out_.method = payment_method::credit_card;
    else if (s.equals("debit_card", 10))
      out_.method = payment_method::debit_card;
    else if (s.equals("paypal", 6))
      out_.method = payment_method::paypal;
    else if (s.equals("bank_transfer", 13))
      out_.method = payment_method::bank_transfer;
    else
      soft(reason::bad_enum, field::payment_method, "unknown payment method", at);
    return true;
  }

  bool parse_international() noexcept {
    auto at = offset();
    switch (peek()) {
      case 't': out_.is_international = true; return literal("true", 4);
      case 'f': out_.is_international = false; return literal("false", 5);
      case '"': {
        fixed_sink<8> s;
        if (!parse_string(s))
          return false;
        if (s.equals("True", 4) || s.equals("true", 4))
          out_.is_international = true;
        else if (s.equals("False", 5) || s.equals("false", 5))
          out_.is_international = false;
        else
          soft(reason::wrong_type, field::is_international, "not true/false or \"True\"/\"False\"",
               at);
        return true;
      }
      default: return reject(reason::wrong_type, field::is_international, "expected a boolean");
    }
  }

  bool parse_currency() noexcept {
    auto at = offset();
    fixed_sink<8> s;
    if (!parse_short_string(field::currency, s))
      return false;
    auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
    if (!s.overflow && s.size == 3 && upper(s.buf[0]) && upper(s.buf[1]) && upper(s.buf[2]))
      out_.currency.assign(s.buf, 3);
    else
      soft(reason::bad_currency, field::currency, "not three upper-case letters", at);
    return true;
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  const decoder_limits& limits_;
  transaction& out_;
  std::uint16_t seen_ = 0;
  field last_ = field::none;  // the known field parsed last
  decode_result fatal_;
  decode_result soft_;
};

// The layout txstream's encoder writes, and what compact producers write
// in schema order: the ten keys in order, no whitespace, plain printable
// ASCII strings, amounts with at most two decimals, times in epoch ms.
// Parsed in one straight pass without the general parser's per-field
// dispatch; anything else, or any doubt, returns false and the general
// parser decides. Whatever this accepts, the general parser accepts with
// the same values (a differential test checks).
class canonical_parser {
public:
  canonical_parser(std::string_view in, const decoder_limits& limits, transaction& out) noexcept
    : p_(in.data()), end_(in.data() + in.size()), limits_(limits), out_(out) {
    // nop
  }

  bool run() noexcept {
    return lit("{\"transactionId\":") && str(out_.transaction_id) && lit(",\"userId\":")
           && str(out_.user_id) && lit(",\"amount\":") && amount() && lit(",\"transactionTime\":")
           && time() && lit(",\"merchantId\":") && str(out_.merchant_id)
           && lit(",\"transactionType\":") && type() && lit(",\"location\":") && str(out_.location)
           && lit(",\"paymentMethod\":") && method() && lit(",\"isInternational\":")
           && international() && lit(",\"currency\":") && currency() && lit("}") && p_ == end_;
  }

private:
  static bool digit(char c) noexcept {
    return c >= '0' && c <= '9';
  }

  template <std::size_t N>
  bool lit(const char (&s)[N]) noexcept {
    constexpr std::size_t n = N - 1;
    if (static_cast<std::size_t>(end_ - p_) < n || std::memcmp(p_, s, n) != 0)
      return false;
    p_ += n;
    return true;
  }

  // A quoted string of 1 to max_string bytes without escapes or control
  // characters: printable ASCII, DEL and valid UTF-8, kept verbatim as the
  // general parser keeps them.
  bool plain(std::string_view& v) noexcept {
    if (p_ == end_ || *p_ != '"')
      return false;
    const char* b = p_ + 1;
    const char* q = skip_plain_ascii(b, end_);
    while (q < end_) {
      auto c = static_cast<unsigned char>(*q);
      if (c == '"')
        break;
      if (c == '\\' || c < 0x20)
        return false;
      if (c >= 0x80) {
        auto up = reinterpret_cast<const unsigned char*>(q);
        auto n = utf8_sequence_length(up, reinterpret_cast<const unsigned char*>(end_));
        if (n == 0)
          return false;
        q = skip_plain_ascii(q + n, end_);
        continue;
      }
      ++q;
    }
    if (q == end_)
      return false;
    auto n = static_cast<std::size_t>(q - b);
    if (n == 0 || n > limits_.max_string)
      return false;
    v = {b, n};
    p_ = q + 1;
    return true;
  }

  template <class String>
  bool str(String& dst) noexcept {
    std::string_view v;
    if (!plain(v))
      return false;
    dst = v;  // within max_string: no allocation once the string is warm
    return true;
  }

  // (0|[1-9][0-9]{0,15})(.[0-9]{1,2})? -> cents: never negative, never
  // rounded, never beyond int64.
  bool amount() noexcept {
    const char* q = p_;
    if (q == end_ || !digit(*q))
      return false;
    std::int64_t whole = 0;
    if (*q == '0') {
      ++q;
    } else {
      for (int n = 0; q < end_ && digit(*q); ++q, ++n) {
        if (n == 16)
          return false;
        whole = whole * 10 + (*q - '0');
      }
    }
    std::int64_t cents = 0;
    if (q < end_ && *q == '.') {
      ++q;
      if (q == end_ || !digit(*q))
        return false;
      cents = (*q++ - '0') * 10;
      if (q < end_ && digit(*q))
        cents += *q++ - '0';
    }
    if (q < end_ && (digit(*q) || *q == '.' || *q == 'e' || *q == 'E'))
      return false;
    out_.amount_cents = whole * 100 + cents;
    p_ = q;
    return true;
  }

  // An integer of epoch milliseconds in the accepted range (smaller
  // numbers are epoch seconds to the general parser).
  bool time() noexcept {
    const char* q = p_;
    if (q == end_ || *q < '1' || *q > '9')
      return false;
    std::int64_t v = 0;
    for (int n = 0; q < end_ && digit(*q); ++q, ++n) {
      if (n == 15)
        return false;
      v = v * 10 + (*q - '0');
    }
    if (q < end_ && (*q == '.' || *q == 'e' || *q == 'E'))
      return false;
    if (v < min_event_time_ms || v > max_event_time_ms)
      return false;
    out_.event_time_ms = v;
    p_ = q;
    return true;
  }

  bool type() noexcept {
    if (lit("\"purchase\""))
      out_.type = transaction_type::purchase;
    else if (lit("\"refund\""))
      out_.type = transaction_type::refund;
    else
      return false;
    return true;
  }

  bool method() noexcept {
    if (lit("\"credit_card\""))
      out_.method = payment_method::credit_card;
    else if (lit("\"debit_card\""))
      out_.method = payment_method::debit_card;
    else if (lit("\"paypal\""))
      out_.method = payment_method::paypal;
    else if (lit("\"bank_transfer\""))
      out_.method = payment_method::bank_transfer;
    else
      return false;
    return true;
  }

  bool international() noexcept {
    if (lit("true"))
      out_.is_international = true;
    else if (lit("false"))
      out_.is_international = false;
    else
      return false;
    return true;
  }

  bool currency() noexcept {
    if (end_ - p_ < 5 || p_[0] != '"' || p_[4] != '"')
      return false;
    for (int i = 1; i <= 3; ++i)
      if (p_[i] < 'A' || p_[i] > 'Z')
        return false;
    out_.currency.assign(p_ + 1, 3);
    p_ += 5;
    return true;
  }

  const char* p_;
  const char* end_;
  const decoder_limits& limits_;
  transaction& out_;
};

}  // namespace

const char* to_string(transaction_field x) noexcept {
  switch (x) {
    case field::none: return "";
    case field::transaction_id: return "transactionId";
    case field::user_id: return "userId";
    case field::amount: return "amount";
    case field::transaction_time: return "transactionTime";
    case field::merchant_id: return "merchantId";
    case field::transaction_type: return "transactionType";
    case field::location: return "location";
    case field::payment_method: return "paymentMethod";
    case field::is_international: return "isInternational";
    case field::currency: return "currency";
  }
  return "";
}

std::string describe(const decode_result& x) {
  if (x.ok())
    return "ok";
  std::string out;
  if (x.field != field::none) {
    out += to_string(x.field);
    out += ": ";
  }
  out += x.what;
  out += " (byte ";
  out += std::to_string(x.offset);
  out += ')';
  return out;
}

decode_result transaction_decoder::decode(std::string_view payload,
                                          transaction& out) const noexcept {
  if (payload.size() <= limits_.max_payload && canonical_parser{payload, limits_, out}.run())
    return {};
  return decode_general(payload, out);
}

decode_result transaction_decoder::decode_general(std::string_view payload,
                                                  transaction& out) const noexcept {
  return parser{payload, limits_, out}.run();
}

}  // namespace txstream
