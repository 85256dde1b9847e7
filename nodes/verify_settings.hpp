// What `txstream verify` reads and checks: the node config (file and
// TXSTREAM_* environment) with verify's flags over it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config/node_config.hpp"
#include "nodes/config_options.hpp"
#include "nodes/verify_report.hpp"

namespace txstream {

/// verify's command line.
struct verify_flags {
  config_options config;
  // Over the config's topics.*.name and aggregation.*.
  std::optional<std::string> input_topic;
  std::optional<std::string> deadletter_topic;
  std::optional<std::string> aggregates_topic;
  std::optional<std::string> anomalies_topic;
  std::optional<std::int64_t> window_ms;
  std::optional<std::int64_t> allowed_lateness_ms;
  verify_options checks;  // the rest of the checks' settings
  bool json = false;
};

/// The topics verify reads and the checks it makes.
struct verify_plan {
  topics_config topics;
  verify_options checks;
};

/// `cfg`'s topic names, window length and lateness, each replaced by its
/// flag when given.
verify_plan plan_verify(const verify_flags& flags, const node_config& cfg);

}  // namespace txstream
