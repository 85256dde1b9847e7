// An spdlog formatter that writes one ECS-style JSON object per line.
#pragma once

#include <ctime>
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/formatter.h>

namespace txstream::monitoring {

/// Appends `in` to `out` as the inside of a JSON string: escapes quotes,
/// backslashes and control characters, and replaces invalid UTF-8 with
/// U+FFFD so every line stays valid JSON.
void append_json_escaped(std::string_view in, spdlog::memory_buf_t& out);

/// append_json_escaped() into a std::string, for tests and ad-hoc use.
std::string json_escape(std::string_view in);

/// The ECS name of an spdlog level: "warn" rather than spdlog's "warning".
std::string_view ecs_level(spdlog::level::level_enum level);

/// Formats a record as
/// `{"@timestamp":"2024-05-01T12:00:00.123Z","log.level":"info",
/// "message":"...","service.name":"txstream","txstream.node_id":"n1",
/// "log.logger":"partition_consumer","process.thread.id":1234}`.
/// spdlog's own `%v` does not escape, hence this class.
class json_log_formatter final : public spdlog::formatter {
public:
  json_log_formatter(std::string service_name, std::string node_id);

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;

  std::unique_ptr<spdlog::formatter> clone() const override;

private:
  std::string service_name_;
  std::string node_id_;
  // Most lines share the second; formatting it once per second is cheaper.
  std::time_t cached_second_ = -1;
  char cached_prefix_[24] = {};
};

}  // namespace txstream::monitoring
