#include "nodes/generate_options.hpp"

#include <string>

namespace txstream {

std::string generate_usage_error(const generate_flags& flags) {
  const bool unlimited = flags.rate == "max";
  const bool bounded = flags.count > 0 || flags.duration_s > 0;
  if (flags.pregenerate
      && (unlimited || !bounded || flags.start_time_ms >= 0
          || flags.drain_scenarios.value_or(false)))
    return "--pregenerate needs a numeric --rate and --count or --duration, and "
           "excludes --start-time and --drain-scenarios (it sends a fixed set of "
           "records with wall-clock event times)";
  if (flags.event_rate > 0 && flags.start_time_ms < 0)
    return "--event-rate needs --start-time (with the wall clock, event time "
           "runs at --rate)";
  return {};
}

generate_plan plan_generate(const generate_flags& flags, const node_config& cfg) {
  generate_plan p;
  p.kafka = cfg.kafka;
  p.topic = flags.topic.value_or(cfg.topics.transactions.name);
  p.rate = flags.rate == "max" ? 0 : std::stoull(flags.rate);
  p.count = flags.count;
  p.duration_s = flags.duration_s;
  p.start_time_ms = flags.start_time_ms;
  if (flags.start_time_ms >= 0 && flags.event_rate > 0)
    p.event_rate = flags.event_rate;
  else
    p.event_rate = p.rate > 0 ? p.rate : nominal_max_rate;
  p.gen = flags.gen;
  p.gen.users = flags.users.value_or(human_pace_users(p.event_rate));
  p.pregenerate = flags.pregenerate;
  p.drain = flags.drain_scenarios.value_or(p.bounded() && !flags.pregenerate);
  p.compression = flags.compression;
  return p;
}

}  // namespace txstream
