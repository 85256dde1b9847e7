#include "nodes/node_options.hpp"

#include <CLI/CLI.hpp>

#include "config/node_config_loader.hpp"

namespace txstream {

void add_node_options(CLI::App& cmd, node_options& opts) {
  add_config_options(cmd, opts.config);
  cmd.add_option("--node-id", opts.node_id, "This node's id");
  cmd.add_option("--metrics-port", opts.metrics_port,
                 "Port of /metrics, /healthz, /readyz (0 = any free port)");
  cmd.add_option("--log-format", opts.log_format, "json or text")
    ->check(CLI::IsMember({"json", "text"}));
  cmd.add_option("--log-level", opts.log_level, "trace, debug, info, warn, error")
    ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  cmd.add_option("--listen", opts.listen,
                 "HOST:PORT to listen on for the cluster's other nodes (cluster.listen); "
                 "without it the node is a cluster of one");
  cmd.add_option("--advertise", opts.advertise,
                 "HOST:PORT the other nodes connect to (cluster.advertise; default: --listen)");
  cmd.add_option("--roles", opts.roles,
                 "ingest (consume partitions, detect fraud), aggregate (host merchant "
                 "shards), comma-separated (cluster.roles)");
}

node_config load_config(const node_options& opts) {
  node_config cfg = load_config(opts.config, txstream_environment());
  if (opts.node_id)
    cfg.node_id = *opts.node_id;
  if (opts.metrics_port)
    cfg.metrics.port = static_cast<std::uint16_t>(*opts.metrics_port);
  if (opts.log_format)
    cfg.log.format = *opts.log_format;
  if (opts.log_level)
    cfg.log.level = *opts.log_level;
  if (opts.listen)
    cfg.cluster.listen = *opts.listen;
  if (opts.advertise)
    cfg.cluster.advertise = *opts.advertise;
  if (opts.roles)
    cfg.cluster.roles = *opts.roles;
  validate(cfg);
  return cfg;
}

}  // namespace txstream
