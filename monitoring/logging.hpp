// Process-wide logging set-up: JSON lines (ECS fields) or text, per-actor loggers.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

namespace txstream::monitoring {

enum class log_format {
  json,  ///< one ECS JSON object per line, for Filebeat
  text,  ///< human-readable, for a terminal (`--log-format text`)
};

struct logging_config {
  std::string service_name = "txstream";
  std::string node_id;
  spdlog::level::level_enum level = spdlog::level::info;
  log_format format = log_format::json;
  /// Empty: stderr. Otherwise a file to append to (created if missing).
  std::string file;
};

/// "trace", "debug", "info", "warn"/"warning", "error"/"err", "critical",
/// "off"; nullopt for anything else.
std::optional<spdlog::level::level_enum> parse_log_level(std::string_view);

/// "json" or "text"; nullopt for anything else.
std::optional<log_format> parse_log_format(std::string_view);

/// Builds the shared sink, drops previously registered loggers and installs
/// a default logger named "main". Call once at start-up, before spawning
/// actors: loggers obtained earlier keep writing to the old sink. Throws
/// spdlog::spdlog_ex if the log file cannot be opened.
void init_logging(const logging_config& config);

/// The logger for one actor type (`log.logger` in the JSON), sharing the sink
/// set up by init_logging() (stderr JSON if it was never called). Thread-safe;
/// look it up once per actor, not per message.
std::shared_ptr<spdlog::logger> actor_logger(std::string_view actor);

/// Flushes every logger (e.g. before a test reads the log file).
void flush_logging();

/// Initialises logging for its lifetime; the destructor flushes and calls
/// spdlog::shutdown(), so lines logged just before exit are not lost.
/// Construct it first thing in main() so it is destroyed last.
class logging_guard {
public:
  explicit logging_guard(const logging_config& config);
  ~logging_guard();

  logging_guard(const logging_guard&) = delete;
  logging_guard& operator=(const logging_guard&) = delete;
};

}  // namespace txstream::monitoring
