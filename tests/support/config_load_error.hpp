// The message of a failed config load, for tests of the config loader.
#pragma once

#include <string>

#include "config/node_config_loader.hpp"

namespace txstream::test {

/// The message of the config_error thrown by loading `toml` (named
/// "node.toml") and `env`, or "" when loading succeeds.
inline std::string load_error(const std::string& toml, const env_map& env = {}) {
  try {
    load_node_config_from_string(toml, "node.toml", env);
  } catch (const config_error& err) {
    return err.what();
  }
  return {};
}

}  // namespace txstream::test
