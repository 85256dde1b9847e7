#include "monitoring/json_log_formatter.hpp"

#include <chrono>

#include <spdlog/details/log_msg.h>

namespace txstream::monitoring {

namespace {

void append(spdlog::memory_buf_t& out, std::string_view s) {
  out.append(s.data(), s.data() + s.size());
}

// Length of the valid UTF-8 sequence at `s[i]`, or 0 with `*bad` set to the
// number of bytes to replace with one U+FFFD (the maximal invalid prefix).
std::size_t utf8_sequence(std::string_view s, std::size_t i, std::size_t* bad) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  std::size_t len;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0)
      lo = 0xA0;  // overlong
    else if (c == 0xED)
      hi = 0x9F;  // UTF-16 surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0)
      lo = 0x90;  // overlong
    else if (c == 0xF4)
      hi = 0x8F;  // above U+10FFFF
  } else {
    *bad = 1;
    return 0;
  }
  for (std::size_t k = 1; k < len; ++k) {
    if (i + k >= s.size() || byte(i + k) < lo || byte(i + k) > hi) {
      *bad = k;
      return 0;
    }
    lo = 0x80;
    hi = 0xBF;
  }
  return len;
}

}  // namespace

void append_json_escaped(std::string_view in, spdlog::memory_buf_t& out) {
  static constexpr char hex[] = "0123456789abcdef";
  std::size_t i = 0;
  while (i < in.size()) {
    auto c = static_cast<unsigned char>(in[i]);
    if (c >= 0x80) {
      std::size_t bad = 0;
      if (auto len = utf8_sequence(in, i, &bad); len > 0) {
        append(out, in.substr(i, len));
        i += len;
      } else {
        append(out, "\xEF\xBF\xBD");  // U+FFFD
        i += bad;
      }
      continue;
    }
    switch (c) {
      case '"': append(out, "\\\""); break;
      case '\\': append(out, "\\\\"); break;
      case '\n': append(out, "\\n"); break;
      case '\r': append(out, "\\r"); break;
      case '\t': append(out, "\\t"); break;
      case '\b': append(out, "\\b"); break;
      case '\f': append(out, "\\f"); break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf]};
          out.append(esc, esc + 6);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
}

std::string json_escape(std::string_view in) {
  spdlog::memory_buf_t buf;
  append_json_escaped(in, buf);
  return std::string{buf.data(), buf.size()};
}

std::string_view ecs_level(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace: return "trace";
    case spdlog::level::debug: return "debug";
    case spdlog::level::info: return "info";
    case spdlog::level::warn: return "warn";
    case spdlog::level::err: return "error";
    case spdlog::level::critical: return "critical";
    case spdlog::level::off:
    case spdlog::level::n_levels: break;
  }
  return "off";
}

json_log_formatter::json_log_formatter(std::string service_name, std::string node_id)
  : service_name_(std::move(service_name)), node_id_(std::move(node_id)) {
  // nop
}

void json_log_formatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  using namespace std::chrono;
  auto since_epoch = msg.time.time_since_epoch();
  auto secs = duration_cast<seconds>(since_epoch);
  auto millis = duration_cast<milliseconds>(since_epoch - secs).count();
  if (millis < 0) {  // before 1970: keep the fraction non-negative
    secs -= seconds{1};
    millis += 1000;
  }
  auto t = static_cast<std::time_t>(secs.count());
  if (t != cached_second_) {
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    std::strftime(cached_prefix_, sizeof(cached_prefix_), "%Y-%m-%dT%H:%M:%S", &tm);
    cached_second_ = t;
  }
  auto ms = static_cast<int>(millis);
  char frac[6] = {'.',
                  static_cast<char>('0' + ms / 100),
                  static_cast<char>('0' + ms / 10 % 10),
                  static_cast<char>('0' + ms % 10),
                  'Z',
                  '\0'};
  append(dest, "{\"@timestamp\":\"");
  append(dest, cached_prefix_);
  append(dest, frac);
  append(dest, "\",\"log.level\":\"");
  append(dest, ecs_level(msg.level));
  append(dest, "\",\"message\":\"");
  append_json_escaped({msg.payload.data(), msg.payload.size()}, dest);
  append(dest, "\",\"service.name\":\"");
  append_json_escaped(service_name_, dest);
  append(dest, "\",\"txstream.node_id\":\"");
  append_json_escaped(node_id_, dest);
  append(dest, "\",\"log.logger\":\"");
  append_json_escaped({msg.logger_name.data(), msg.logger_name.size()}, dest);
  append(dest, "\",\"process.thread.id\":");
  append(dest, std::to_string(msg.thread_id));
  append(dest, "}\n");
}

std::unique_ptr<spdlog::formatter> json_log_formatter::clone() const {
  return std::make_unique<json_log_formatter>(service_name_, node_id_);
}

}  // namespace txstream::monitoring
