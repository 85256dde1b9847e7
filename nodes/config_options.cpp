#include "nodes/config_options.hpp"

#include <CLI/CLI.hpp>

namespace txstream {

void add_config_options(CLI::App& cmd, config_options& opts) {
  cmd
    .add_option("--config", opts.config_file,
                "TOML config file (see config/node.example.toml); TXSTREAM_* "
                "variables override it, flags override both")
    ->check(CLI::ExistingFile);
  cmd.add_option("--bootstrap", opts.bootstrap,
                 "Kafka bootstrap servers (default: kafka.bootstrap of the config, "
                 "127.0.0.1:9092)");
}

node_config load_config(const config_options& opts, const env_map& env) {
  node_config cfg = load_node_config(opts.config_file.empty() ? nullptr : &opts.config_file, env);
  if (opts.bootstrap)
    cfg.kafka.bootstrap = *opts.bootstrap;
  validate(cfg);
  return cfg;
}

}  // namespace txstream
