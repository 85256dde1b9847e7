// `txstream verify`: reads the input, dead-letter, aggregate and anomaly
// topics up to their high watermarks and checks them (nodes/verify_report).
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "actors/kafka/client_config.hpp"
#include "actors/kafka/topic_reader.hpp"
#include "messages/kafka_headers.hpp"
#include "nodes/application.hpp"
#include "nodes/commands.hpp"
#include "nodes/verify_report.hpp"
#include "nodes/verify_settings.hpp"

namespace txstream {

namespace {

std::string header_or_empty(const kafka::topic_record& r, std::string_view name) {
  const auto* h = r.header(name);
  return h != nullptr ? *h : std::string{};
}

int run_verify(const verify_flags& opt) {
  const auto cfg = load_config(opt.config, txstream_environment());
  const auto plan = plan_verify(opt, cfg);
  const auto& topics = plan.topics;
  const auto& checks = plan.checks;
  verify_checker checker{checks};
  kafka::topic_reader reader{cfg.kafka.bootstrap, kafka::client_properties(cfg.kafka.client)};
  auto read = [&](const std::string& topic, auto&& on_record) {
    auto res = reader.read(topic, on_record);
    if (!res.complete()) {
      std::string text = topic + ": not read to the high watermark";
      for (const auto& p : res.partitions)
        if (!p.complete)
          text += " [partition " + std::to_string(p.partition) + " at " + std::to_string(p.next)
                  + " of " + std::to_string(p.high) + "]";
      if (!res.error.empty())
        text += ": " + res.error;
      checker.add_read_error(std::move(text));
    }
    if (!opt.json)
      std::cerr << "read " << res.records << " records of " << topic << "\n";
  };
  // The input first: dead letters written meanwhile may name records past
  // its snapshot, which the report then lists as unknown rather than lost.
  read(topics.transactions.name, [&](const kafka::topic_record& r) {
    checker.add_input(r.partition, r.offset, r.key, r.value, header_or_empty(r, fraud_header));
  });
  read(topics.deadletter.name, [&](const kafka::topic_record& r) {
    checker.add_dead_letter(header_or_empty(r, error_header), header_or_empty(r, source_header));
  });
  read(topics.aggregates.name,
       [&](const kafka::topic_record& r) { checker.add_aggregate(r.value); });
  read(topics.anomalies.name, [&](const kafka::topic_record& r) { checker.add_anomaly(r.value); });
  auto report = checker.finish();
  if (opt.json)
    std::cout << format_json(report, checks) << "\n";
  else
    std::cout << format_text(report, checks);
  return report.ok() ? exit_ok : exit_failure;
}

}  // namespace

void add_verify_command(CLI::App& app, command_action& action) {
  auto* cmd = app.add_subcommand(
    "verify", "Check the pipeline's output topics against its input: every record "
              "dead-lettered or counted in exactly one window, windows and totals "
              "to the cent, fraud recall and precision");
  // Lives as long as the App.
  static verify_flags opt;
  add_config_options(*cmd, opt.config);
  cmd
    ->add_option("--window-ms", opt.window_ms,
                 "Tumbling window length (default: aggregation.window_ms of the "
                 "config, 60000)")
    ->check(CLI::PositiveNumber);
  cmd
    ->add_option("--allowed-lateness-ms", opt.allowed_lateness_ms,
                 "Aggregators' allowed lateness; windows ending after the slowest "
                 "input partition's watermark may still be open (default: "
                 "aggregation.allowed_lateness_ms of the config, 5000)")
    ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--require-all-windows", opt.checks.require_all_windows,
                "Open windows count as missing (the pipeline was drained and "
                "flushed)");
  cmd
    ->add_option("--min-recall", opt.checks.min_recall,
                 "Least recall of every scenario with complete instances")
    ->check(CLI::Range(0.0, 1.0))
    ->capture_default_str();
  cmd
    ->add_option("--min-precision", opt.checks.min_precision,
                 "Least precision of every rule with anomalies")
    ->check(CLI::Range(0.0, 1.0))
    ->capture_default_str();
  cmd->add_flag("--merchant-totals", opt.checks.merchant_totals,
                "The aggregates topic holds per-merchant totals of every valid record "
                "({merchantId, totalAmount, transactionCount}, as a job that only groups "
                "by merchant writes): check the newest total of each merchant against "
                "the input; no windows, running totals or fraud");
  cmd->add_flag("--json", opt.json, "Print the report as one JSON document");
  // The topics' defaults: topics.*.name of the config.
  cmd->add_option("--input-topic", opt.input_topic,
                  "Input topic (default: topics.transactions.name)");
  cmd->add_option("--deadletter-topic", opt.deadletter_topic,
                  "Dead-letter topic (default: topics.deadletter.name)");
  cmd->add_option("--aggregates-topic", opt.aggregates_topic,
                  "Aggregates topic (default: topics.aggregates.name)");
  cmd->add_option("--anomalies-topic", opt.anomalies_topic,
                  "Anomalies topic (default: topics.anomalies.name)");
  cmd->callback([&action] { action = [] { return run_verify(opt); }; });
}

}  // namespace txstream
