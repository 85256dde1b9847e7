// `txstream status`: the cluster as the control topic tells it (the latest
// heartbeat per node, the latest shard map) and the node group's lag on the
// input; exits 0 when a live node leads (nodes/status_report).
#include <chrono>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "actors/kafka/client_config.hpp"
#include "actors/kafka/topic_admin.hpp"
#include "actors/kafka/topic_reader.hpp"
#include "nodes/application.hpp"
#include "nodes/commands.hpp"
#include "nodes/config_options.hpp"
#include "nodes/status_report.hpp"

namespace txstream {

namespace {

struct status_flags {
  config_options config;
  std::int64_t node_timeout_ms = 6000;
  bool json = false;
};

std::int64_t wall_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int run_status(const status_flags& opt) {
  const auto cfg = load_config(opt.config, txstream_environment());
  const auto properties = kafka::client_properties(cfg.kafka.client);
  status_settings settings;
  settings.control_topic = cfg.topics.control.name;
  settings.input_topic = cfg.topics.transactions.name;
  settings.group = cfg.kafka.group_id;
  settings.node_timeout_ms = opt.node_timeout_ms;
  control_snapshot snap;
  {
    kafka::topic_reader reader{cfg.kafka.bootstrap, properties};
    auto res = reader.read(settings.control_topic,
                           [&](const kafka::topic_record& r) { snap.add(r.key, r.value); });
    if (!res.complete())
      std::cerr << "warning: " << settings.control_topic
                << " was not read to its end: " << res.error << "\n";
  }
  std::optional<std::vector<input_partition>> input;
  std::string input_error;
  try {
    kafka::topic_admin admin{cfg.kafka.bootstrap, kafka::topic_admin::default_timeout_ms,
                             properties};
    auto positions = admin.group_positions(settings.group, settings.input_topic);
    if (!positions.empty()) {
      input.emplace();
      for (const auto& p : positions)
        input->push_back(input_partition{p.partition, p.low, p.high, p.committed});
    }
  } catch (const std::exception& e) {
    // The lag is extra; who leads is what the exit code tells.
    input_error = e.what();
  }
  // Ages against the clock after the read, so a slow read makes nodes
  // look older, never fresher.
  auto status = summarize(snap, settings, wall_clock_ms(), std::move(input),
                          std::move(input_error));
  if (opt.json)
    std::cout << format_json(status) << "\n";
  else
    std::cout << format_text(status);
  if (!status.ok() && opt.json)
    std::cerr << status.no_leader_reason << "\n";
  return status.ok() ? exit_ok : exit_failure;
}

}  // namespace

void add_status_command(CLI::App& app, command_action& action) {
  auto* cmd = app.add_subcommand(
    "status", "Show the cluster as the control topic tells it: nodes, leader, shard map, "
              "input lag; exits 0 when a live node leads");
  cmd->footer(
    "Reads the control topic (topics.control.name) from its beginning to its end and "
    "shows every node's latest heartbeat (endpoint, roles, leadership, heartbeat age, "
    "version, shards, input partitions, in-flight batches per link), the latest shard map, "
    "and the lag of group kafka.group_id on each input partition (its committed offsets, "
    "read without joining the group).\n"
    "A heartbeat's age is this machine's clock minus the heartbeat's sentMs, the sender's "
    "clock when it wrote it: clock differences between the hosts add to it.\n"
    "Exit 0 when a leader is known: a node whose latest heartbeat is \"up\", younger than "
    "--node-timeout-ms, and says leader (of several, the highest epoch). Exit 1 otherwise, "
    "with a line saying why.");
  // Lives as long as the App.
  static status_flags opt;
  add_config_options(*cmd, opt.config);
  cmd
    ->add_option("--node-timeout-ms", opt.node_timeout_ms,
                 "A node whose latest heartbeat is this old or older is not live")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  cmd->add_flag("--json", opt.json, "Print one JSON object");
  cmd->callback([&action] { action = [] { return run_status(opt); }; });
}

}  // namespace txstream
