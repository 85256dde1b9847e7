// Command-line options of `txstream node`, applied over the config file.
#pragma once

#include <optional>
#include <string>

#include "config/node_config.hpp"
#include "nodes/config_options.hpp"

namespace CLI {
class App;
}  // namespace CLI

namespace txstream {

struct node_options {
  config_options config;
  std::optional<std::string> node_id;
  std::optional<int> metrics_port;
  std::optional<std::string> log_format;
  std::optional<std::string> log_level;
  std::optional<std::string> listen;
  std::optional<std::string> advertise;
  std::optional<std::string> roles;
  bool until_drained = false;
};

/// Registers the node's options on `cmd`.
void add_node_options(CLI::App& cmd, node_options& opts);

/// Defaults < config file < TXSTREAM_* environment < flags; throws
/// config_error naming the key when something is invalid.
node_config load_config(const node_options& opts);

}  // namespace txstream
