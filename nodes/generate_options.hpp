// What `txstream generate` does, from its flags and the node config: the
// topic and Kafka client, the send rate and the event-time pace, the users
// that keep ordinary users at a human pace, and whether a bounded run
// finishes the fraud instances it started.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config/generator_config.hpp"
#include "config/kafka_config.hpp"
#include "config/node_config.hpp"
#include "nodes/config_options.hpp"

namespace txstream {

/// Event-time spacing of `--rate max` without `--event-rate`, records per second.
inline constexpr std::uint64_t nominal_max_rate = 10000;

/// generate's command line.
struct generate_flags {
  config_options config;
  std::optional<std::string> topic;  // over topics.transactions.name
  std::string rate = "1000";         // records per second, or "max"
  std::uint64_t count = 0;           // 0: no limit
  double duration_s = 0;             // 0: no limit
  generator_config gen;              // but users: `users`
  std::optional<std::uint64_t> users;
  std::int64_t start_time_ms = -1;  // -1: wall clock
  std::uint64_t event_rate = 0;     // with start_time_ms: records per event-time second
  std::optional<bool> drain_scenarios;
  bool pregenerate = false;
  std::string compression = "lz4";
  /// Port of /metrics, /healthz and /readyz (0: any free port); none when unset.
  std::optional<int> metrics_port;
};

/// A run, every default resolved.
struct generate_plan {
  kafka_config kafka;
  std::string topic;
  std::uint64_t rate = 0;   // records per second; 0: as fast as the broker takes them
  std::uint64_t count = 0;  // 0: no limit
  double duration_s = 0;    // 0: no limit
  /// Event time of the first record with a virtual clock, -1: the wall clock.
  std::int64_t start_time_ms = -1;
  /// Records per second of event time: the virtual clock's spacing, or the
  /// rate the wall clock stamps them at.
  std::uint64_t event_rate = 0;
  generator_config gen;  // users resolved
  /// Finish the started fraud instances when the run's end comes.
  bool drain = false;
  bool pregenerate = false;
  std::string compression;

  bool bounded() const {
    return count > 0 || duration_s > 0;
  }
};

/// What is wrong with these flags together, "" when nothing.
std::string generate_usage_error(const generate_flags& flags);

/// The run `flags` ask for over `cfg` (the config's bootstrap, client
/// properties and input topic name). Users default to
/// human_pace_users(event rate); the drain to bounded runs without
/// --pregenerate. Call after generate_usage_error() found nothing.
generate_plan plan_generate(const generate_flags& flags, const node_config& cfg);

}  // namespace txstream
