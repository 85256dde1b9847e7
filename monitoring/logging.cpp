#include "monitoring/logging.hpp"

#include <mutex>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "monitoring/json_log_formatter.hpp"

namespace txstream::monitoring {

namespace {

// `%*` in text patterns: the ECS level name ("warn", not spdlog's "warning"),
// left-aligned to five columns (spdlog ignores padding on custom flags).
class ecs_level_flag final : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    auto name = ecs_level(msg.level);
    dest.append(name.data(), name.data() + name.size());
    for (auto n = name.size(); n < 5; ++n)
      dest.push_back(' ');
  }

  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<ecs_level_flag>();
  }
};

struct logging_state {
  std::mutex mutex;
  spdlog::sink_ptr sink;
  spdlog::level::level_enum level = spdlog::level::info;
};

logging_state& state() {
  static logging_state instance;
  return instance;
}

spdlog::sink_ptr make_sink(const logging_config& config) {
  spdlog::sink_ptr sink;
  if (!config.file.empty())
    sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(config.file);
  else if (config.format == log_format::text)
    sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  else
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  if (config.format == log_format::json) {
    sink->set_formatter(std::make_unique<json_log_formatter>(config.service_name, config.node_id));
  } else {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<ecs_level_flag>('*').set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%*%$ [%n] %v");
    sink->set_formatter(std::move(formatter));
  }
  return sink;
}

// Requires state().mutex.
std::shared_ptr<spdlog::logger> make_logger(logging_state& st, const std::string& name) {
  if (!st.sink)
    st.sink = make_sink(logging_config{});
  auto logger = std::make_shared<spdlog::logger>(name, st.sink);
  logger->set_level(st.level);
  logger->flush_on(spdlog::level::warn);
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view x) {
  using namespace spdlog::level;
  if (x == "trace")
    return trace;
  if (x == "debug")
    return debug;
  if (x == "info")
    return info;
  if (x == "warn" || x == "warning")
    return warn;
  if (x == "error" || x == "err")
    return err;
  if (x == "critical")
    return critical;
  if (x == "off")
    return off;
  return std::nullopt;
}

std::optional<log_format> parse_log_format(std::string_view x) {
  if (x == "json")
    return log_format::json;
  if (x == "text")
    return log_format::text;
  return std::nullopt;
}

void init_logging(const logging_config& config) {
  auto sink = make_sink(config);  // may throw: keep the old set-up then
  auto& st = state();
  std::lock_guard<std::mutex> guard{st.mutex};
  spdlog::drop_all();
  st.sink = std::move(sink);
  st.level = config.level;
  spdlog::set_default_logger(make_logger(st, "main"));
  // Info lines reach a file within a second even when nothing warns.
  spdlog::flush_every(std::chrono::seconds{1});
}

std::shared_ptr<spdlog::logger> actor_logger(std::string_view actor) {
  auto& st = state();
  std::string name{actor};
  std::lock_guard<std::mutex> guard{st.mutex};
  if (auto existing = spdlog::get(name))
    return existing;
  return make_logger(st, name);
}

void flush_logging() {
  spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& logger) { logger->flush(); });
}

logging_guard::logging_guard(const logging_config& config) {
  init_logging(config);
}

logging_guard::~logging_guard() {
  flush_logging();
  spdlog::shutdown();
}

}  // namespace txstream::monitoring
