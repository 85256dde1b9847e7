#include "messages/json_encoder.hpp"

#include <charconv>  // std::to_chars(double): shortest round-trip text
#include <cmath>

#include "messages/decimal.hpp"
#include "messages/json_scan.hpp"
#include "messages/utf8.hpp"

namespace txstream {

namespace {

// Appends `"key":`; keys are literals that need no escaping.
void key(std::string& out, std::string_view k) {
  out += '"';
  out += k;
  out += "\":";
}

void string_field(std::string& out, std::string_view k, std::string_view v) {
  key(out, k);
  append_json_string(out, v);
  out += ',';
}

void int_field(std::string& out, std::string_view k, std::int64_t v) {
  key(out, k);
  append_int(out, v);
  out += ',';
}

void money_field(std::string& out, std::string_view k, std::int64_t cents) {
  key(out, k);
  append_cents(out, cents);
  out += ',';
}

// Replaces the trailing comma of the last member with the closing brace.
void close_object(std::string& out) {
  if (!out.empty() && out.back() == ',')
    out.back() = '}';
  else
    out += '}';
}

// netAmount; saturates instead of overflowing on absurd inputs.
std::int64_t net(std::int64_t purchase, std::int64_t refund) {
  std::int64_t r = 0;
  if (__builtin_sub_overflow(purchase, refund, &r))
    return refund < 0 ? INT64_MAX : INT64_MIN;
  return r;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  auto p = reinterpret_cast<const unsigned char*>(s.data());
  auto end = p + s.size();
  auto run = p;
  auto flush = [&] {
    out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run));
  };
  while (p < end) {
    // Long plain runs in 16-byte steps; the rest byte by byte.
    p = reinterpret_cast<const unsigned char*>(
      skip_plain_ascii(reinterpret_cast<const char*>(p), reinterpret_cast<const char*>(end)));
    if (p == end)
      break;
    unsigned char c = *p;
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++p;
      continue;
    }
    if (c >= 0x80) {
      auto n = utf8_sequence_length(p, end);
      if (n != 0) {
        p += n;
        continue;
      }
      flush();
      out += "\\ufffd";
      run = ++p;
      continue;
    }
    flush();
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default: {
        char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
        out.append(esc, 6);
      }
    }
    run = ++p;
  }
  flush();
  out += '"';
}

void append_json_number(std::string& out, double x) {
  if (!std::isfinite(x)) {
    out += "null";
    return;
  }
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof(buf), x);
  out.append(buf, res.ptr);
}

void encode_json(const transaction& x, std::string& out) {
  out += '{';
  string_field(out, "transactionId", x.transaction_id);
  string_field(out, "userId", x.user_id);
  money_field(out, "amount", x.amount_cents);
  int_field(out, "transactionTime", x.event_time_ms);
  string_field(out, "merchantId", x.merchant_id);
  string_field(out, "transactionType", to_string(x.type));
  string_field(out, "location", x.location);
  string_field(out, "paymentMethod", to_string(x.method));
  key(out, "isInternational");
  out += x.is_international ? "true," : "false,";
  key(out, "currency");
  append_json_string(out, x.currency);
  out += '}';
}

void encode_json(const window_aggregate& x, std::string& out) {
  out += "{\"type\":\"window\",";
  string_field(out, "merchantId", x.merchant_id);
  string_field(out, "currency", x.currency);
  int_field(out, "windowStart", x.window_start_ms);
  int_field(out, "windowEnd", x.window_end_ms);
  int_field(out, "transactionCount", x.transaction_count);
  money_field(out, "purchaseAmount", x.purchase_cents);
  money_field(out, "refundAmount", x.refund_cents);
  money_field(out, "netAmount", net(x.purchase_cents, x.refund_cents));
  money_field(out, "minAmount", x.min_cents);
  money_field(out, "maxAmount", x.max_cents);
  close_object(out);
}

void encode_json(const running_total& x, std::string& out) {
  out += "{\"type\":\"total\",";
  string_field(out, "merchantId", x.merchant_id);
  string_field(out, "currency", x.currency);
  int_field(out, "transactionCount", x.transaction_count);
  money_field(out, "purchaseAmount", x.purchase_cents);
  money_field(out, "refundAmount", x.refund_cents);
  money_field(out, "netAmount", net(x.purchase_cents, x.refund_cents));
  int_field(out, "asOf", x.as_of_ms);
  int_field(out, "lastWindowEnd", x.last_window_end_ms);
  close_object(out);
}

void encode_json(const anomaly& x, std::string& out) {
  out += '{';
  string_field(out, "ruleId", x.rule_id);
  int_field(out, "ruleVersion", x.rule_version);
  string_field(out, "userId", x.user_id);
  int_field(out, "eventTime", x.event_time_ms);
  int_field(out, "detectedAt", x.detected_at_ms);
  key(out, "score");
  append_json_number(out, x.score);
  out += ",\"details\":{";
  for (const auto& d : x.details) {
    append_json_string(out, d.name);
    out += ':';
    switch (d.type) {
      case anomaly_detail::kind::integer: append_int(out, d.integer); break;
      case anomaly_detail::kind::money: append_cents(out, d.integer); break;
      case anomaly_detail::kind::number: append_json_number(out, d.number); break;
      case anomaly_detail::kind::text: append_json_string(out, d.text); break;
    }
    out += ',';
  }
  close_object(out);
  out += ",\"transactions\":[";
  for (const auto& t : x.transactions) {
    out += '{';
    string_field(out, "transactionId", t.transaction_id);
    int_field(out, "partition", t.source.partition);
    int_field(out, "offset", t.source.offset);
    close_object(out);
    out += ',';
  }
  if (out.back() == ',')
    out.back() = ']';
  else
    out += ']';
  out += '}';
}

}  // namespace txstream
