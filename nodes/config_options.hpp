// How every command finds its configuration: --config FILE, the TXSTREAM_*
// environment and --bootstrap, with one precedence for all of them.
#pragma once

#include <optional>
#include <string>

#include "config/node_config.hpp"
#include "config/node_config_loader.hpp"

namespace CLI {
class App;
}  // namespace CLI

namespace txstream {

/// The flags that choose a command's node_config.
struct config_options {
  std::string config_file;               // "" = none
  std::optional<std::string> bootstrap;  // --bootstrap, over everything else
};

/// Registers --config and --bootstrap on `cmd`.
void add_config_options(CLI::App& cmd, config_options& opts);

/// Defaults < the config file < the TXSTREAM_* variables of `env` <
/// --bootstrap, validated; throws config_error naming the key when
/// something is invalid. Commands apply their own flags to the result.
node_config load_config(const config_options& opts, const env_map& env);

}  // namespace txstream
