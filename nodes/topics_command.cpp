// `txstream topics create|describe`: the topics of the node config (names,
// partitions, replication, retention) made to exist, or shown as they are.
#include <iomanip>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "actors/kafka/topic_admin.hpp"
#include "config/kafka_config.hpp"
#include "config/topics_config.hpp"
#include "nodes/commands.hpp"
#include "nodes/config_options.hpp"

namespace txstream {

namespace {

kafka::topic_admin admin_of(const kafka_config& k) {
  return kafka::topic_admin{k.bootstrap, kafka::topic_admin::default_timeout_ms,
                            kafka::client_properties(k.client)};
}

int create_topics(const kafka_config& k, const topics_config& topics) {
  auto admin = admin_of(k);
  for (const auto& c : admin.create(topics.all()))
    std::cout << std::left << std::setw(26) << c.name << " "
              << (c.result == kafka::topic_creation::outcome::created ? "created" : "exists")
              << " (replication " << c.replication << ")\n";
  return 0;
}

int describe_topics(const kafka_config& k, const topics_config& topics) {
  auto admin = admin_of(k);
  int missing = 0;
  std::cout << std::left << std::setw(26) << "TOPIC" << std::setw(12) << "PARTITIONS"
            << std::setw(13) << "REPLICATION"
            << "CONFIGS\n";
  for (const auto& d : admin.describe(topics.all())) {
    std::cout << std::left << std::setw(26) << d.name << " ";
    if (!d.exists) {
      std::cout << "missing (run 'txstream topics create')\n";
      ++missing;
      continue;
    }
    std::ostringstream configs;
    for (const auto& [k, v] : d.configs)
      configs << k << "=" << v << " ";
    std::cout << std::setw(12) << d.partitions << std::setw(13) << d.replication << configs.str()
              << "\n";
  }
  return missing == 0 ? 0 : 1;
}

}  // namespace

void add_topics_command(CLI::App& app, command_action& action) {
  auto* cmd = app.add_subcommand("topics", "Create or describe txstream's topics");
  cmd->require_subcommand(1);
  // Shared by both subcommands; lives as long as the App. Topic names and
  // sizes come from the node config (file and TXSTREAM_* environment).
  static config_options opts;
  auto* create = cmd->add_subcommand("create",
                                     "Create missing topics with their partitions, replication "
                                     "(capped at the broker count) and retention; idempotent");
  add_config_options(*create, opts);
  create->callback([&action] {
    action = [] {
      auto cfg = load_config(opts, txstream_environment());
      return create_topics(cfg.kafka, cfg.topics);
    };
  });
  auto* describe = cmd->add_subcommand("describe", "Print txstream's topics as "
                                                   "the cluster has them");
  add_config_options(*describe, opts);
  describe->callback([&action] {
    action = [] {
      auto cfg = load_config(opts, txstream_environment());
      return describe_topics(cfg.kafka, cfg.topics);
    };
  });
}

}  // namespace txstream
