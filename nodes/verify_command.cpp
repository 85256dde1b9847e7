// `txstream verify`: reads the input, dead-letter, aggregate and anomaly
// topics up to their high watermarks and checks them (nodes/verify_report).
#include <iostream>

#include <CLI/CLI.hpp>

#include "actors/kafka/topic_reader.hpp"
#include "config/aggregator_config.hpp"
#include "config/kafka_config.hpp"
#include "config/node_config_loader.hpp"
#include "config/topics_config.hpp"
#include "messages/kafka_headers.hpp"
#include "nodes/application.hpp"
#include "nodes/commands.hpp"
#include "nodes/verify_report.hpp"

namespace txstream {

namespace {

struct verify_command_options {
  kafka_config kafka;
  topics_config topics;
  verify_options checks;
  bool json = false;
};

std::string header_or_empty(const kafka::topic_record& r, std::string_view name) {
  const auto* h = r.header(name);
  return h != nullptr ? *h : std::string{};
}

int run_verify(const verify_command_options& opt) {
  verify_options checks = opt.checks;
  checks.input_topic = opt.topics.transactions.name;
  verify_checker checker{checks};
  // The [kafka.client] properties of the environment (no config file here).
  kafka::topic_reader reader{
    opt.kafka.bootstrap,
    kafka::client_properties(client_properties_from_env(txstream_environment()))};
  auto read = [&](const std::string& topic, auto&& on_record) {
    auto res = reader.read(topic, on_record);
    if (!res.complete()) {
      std::string text = topic + ": not read to the high watermark";
      for (const auto& p : res.partitions)
        if (!p.complete)
          text += " [partition " + std::to_string(p.partition) + " at "
                  + std::to_string(p.next) + " of " + std::to_string(p.high) + "]";
      if (!res.error.empty())
        text += ": " + res.error;
      checker.add_read_error(std::move(text));
    }
    if (!opt.json)
      std::cerr << "read " << res.records << " records of " << topic << "\n";
  };
  // The input first: dead letters written meanwhile may name records past
  // its snapshot, which the report then lists as unknown rather than lost.
  read(opt.topics.transactions.name, [&](const kafka::topic_record& r) {
    checker.add_input(r.partition, r.offset, r.key, r.value,
                      header_or_empty(r, fraud_header));
  });
  read(opt.topics.deadletter.name, [&](const kafka::topic_record& r) {
    checker.add_dead_letter(header_or_empty(r, error_header),
                            header_or_empty(r, source_header));
  });
  read(opt.topics.aggregates.name,
       [&](const kafka::topic_record& r) { checker.add_aggregate(r.value); });
  read(opt.topics.anomalies.name,
       [&](const kafka::topic_record& r) { checker.add_anomaly(r.value); });
  auto report = checker.finish();
  if (opt.json)
    std::cout << format_json(report, checks) << "\n";
  else
    std::cout << format_text(report, checks);
  return report.ok() ? exit_ok : exit_failure;
}

} // namespace

void add_verify_command(CLI::App& app, command_action& action) {
  auto* cmd = app.add_subcommand(
    "verify", "Check the pipeline's output topics against its input: every record "
              "dead-lettered or counted in exactly one window, windows and totals "
              "to the cent, fraud recall and precision");
  // Lives as long as the App.
  static verify_command_options opt;
  aggregator_config defaults;
  opt.checks.window_ms = defaults.window_ms;
  opt.checks.allowed_lateness_ms = defaults.allowed_lateness_ms;
  cmd->add_option("--bootstrap", opt.kafka.bootstrap, "Kafka bootstrap servers")
    ->envname("TXSTREAM_BOOTSTRAP")
    ->capture_default_str();
  cmd->add_option("--window-ms", opt.checks.window_ms, "Tumbling window length")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  cmd
    ->add_option("--allowed-lateness-ms", opt.checks.allowed_lateness_ms,
                 "Aggregators' allowed lateness; windows ending after the slowest "
                 "input partition's watermark may still be open")
    ->check(CLI::NonNegativeNumber)
    ->capture_default_str();
  cmd->add_flag("--require-all-windows", opt.checks.require_all_windows,
                "Open windows count as missing (the pipeline was drained and "
                "flushed)");
  cmd->add_option("--min-recall", opt.checks.min_recall,
                  "Least recall of every scenario with instances")
    ->check(CLI::Range(0.0, 1.0))
    ->capture_default_str();
  cmd->add_option("--min-precision", opt.checks.min_precision,
                  "Least precision of every rule with anomalies")
    ->check(CLI::Range(0.0, 1.0))
    ->capture_default_str();
  cmd->add_flag("--json", opt.json, "Print the report as one JSON document");
  cmd->add_option("--input-topic", opt.topics.transactions.name, "Input topic")
    ->capture_default_str();
  cmd->add_option("--deadletter-topic", opt.topics.deadletter.name, "Dead-letter topic")
    ->capture_default_str();
  cmd->add_option("--aggregates-topic", opt.topics.aggregates.name, "Aggregates topic")
    ->capture_default_str();
  cmd->add_option("--anomalies-topic", opt.topics.anomalies.name, "Anomalies topic")
    ->capture_default_str();
  cmd->callback([&action] { action = [] { return run_verify(opt); }; });
}

} // namespace txstream
