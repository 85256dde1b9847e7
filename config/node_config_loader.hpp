// Loads a node_config from defaults, a TOML file and TXSTREAM_* environment
// variables (docs/configuration.md). Command-line flags are applied by the
// caller afterwards by editing the returned struct.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_error.hpp"
#include "config/node_config.hpp"

namespace txstream {

/// Environment variables by name, e.g. from txstream_environment().
using env_map = std::map<std::string, std::string>;

/// Where each key ("aggregation.window_ms") got its value: "default", the
/// TOML source name, or "env TXSTREAM_AGGREGATION_WINDOW_MS".
using config_sources = std::map<std::string, std::string>;

/// Defaults, then the TOML file at `toml_path` (if not null), then the
/// matching TXSTREAM_* variables of `env`; validates the result. Throws
/// config_error naming the key and source. Fills `sources` if not null.
node_config load_node_config(const std::string* toml_path, const env_map& env,
                             config_sources* sources = nullptr);

/// As load_node_config, with the TOML document given as text; `source_name`
/// stands for the file in error messages.
node_config load_node_config_from_string(std::string_view toml_text, std::string_view source_name,
                                         const env_map& env, config_sources* sources = nullptr);

/// Throws config_error for the first key whose value is out of bounds; use
/// after applying command-line flags.
void validate(const node_config& cfg);

/// `cfg` as a TOML document with a one-line comment per key; loading it
/// gives `cfg` back (topic-level `configs` are not part of the file).
std::string describe(const node_config& cfg);

/// describe(node_config{}): the contents of config/node.example.toml.
std::string describe_defaults();

/// Every key the file and environment understand, in file order.
std::vector<std::string> config_keys();

/// The environment variable of `key`: "kafka.bootstrap" -> "TXSTREAM_KAFKA_BOOTSTRAP".
std::string env_var_name(std::string_view key);

/// Names in `env` that start with TXSTREAM_ but match no key, for the caller
/// to warn about.
std::vector<std::string> unknown_env_vars(const env_map& env);

/// The process's TXSTREAM_* environment variables.
env_map txstream_environment();

}  // namespace txstream
