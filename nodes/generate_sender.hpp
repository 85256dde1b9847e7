// Where `txstream generate` sends its records: an idempotent producer whose
// every delivery report is counted, the fraud instances it has seen, and a
// progress line on a terminal.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "actors/kafka/producer.hpp"
#include "monitoring/generator_probe.hpp"
#include "nodes/generate_options.hpp"

namespace txstream {

class generate_sender {
public:
  using clock = std::chrono::steady_clock;

  struct counters {
    std::uint64_t sent = 0;                       // enqueued in librdkafka
    std::uint64_t delivered = 0;                  // acknowledged by the broker
    std::uint64_t failed = 0;                     // rejected by produce() or failed delivery
    std::map<std::string, std::uint64_t> errors;  // text -> occurrences
  };

  /// A producer for `plan.topic` with `client` (the [kafka.client]
  /// properties) applied after txstream's own tuning. Throws when librdkafka
  /// refuses the settings.
  generate_sender(const generate_plan& plan, const kafka::settings& client);

  /// Resolves the topic's handle and metadata before the first record;
  /// returns an error text when there is no handle ("" when ready).
  std::string open();

  /// Enqueues one record; `fraud_label` ("" for none) goes into the
  /// x-txstream-fraud header.
  void send(std::string_view key, std::string_view payload, std::string_view fraud_label);

  /// Counts sent records and failures into `probe` from now on (nullptr:
  /// no metrics); `probe` must outlive the sender.
  void report_to(monitoring::generator_probe* probe) {
    probe_ = probe;
  }

  /// Serves delivery reports.
  void poll() {
    producer_.poll(0);
    report_metrics();
  }

  /// Rewrites the terminal's progress line as `what`, at most once a second.
  void progress(clock::time_point now, const char* what);

  /// Waits up to 130 s for every delivery, progress line moving, until
  /// `interrupted()` says otherwise; what is still in flight then counts as
  /// failed.
  template <class Interrupted>
  void flush(Interrupted interrupted) {
    const auto deadline = clock::now() + std::chrono::seconds(130);
    while (producer_.in_flight() > 0 && clock::now() < deadline && !interrupted()) {
      producer_.flush(500);
      progress(clock::now(), "flush");
    }
    finish_flush();
  }

  const counters& counts() const {
    return counts_;
  }

  /// " high_frequency=3 refund_abuse=1" for the instances sent, " none" when none.
  std::string instances_summary() const;

private:
  void finish_flush();
  /// Adds what was sent and failed since the last call to the probe: the
  /// counters move per poll, not per record.
  void report_metrics();

  std::string topic_name_;
  bool tty_;
  counters counts_;
  kafka::producer producer_;
  rd_kafka_topic_t* topic_ = nullptr;
  kafka::header_list headers_;
  std::map<std::string, std::set<std::uint64_t>> instances_;  // scenario -> ids
  clock::time_point next_progress_;
  std::uint64_t last_sent_ = 0;
  monitoring::generator_probe* probe_ = nullptr;
  std::uint64_t reported_sent_ = 0;
  std::uint64_t reported_failed_ = 0;
};

}  // namespace txstream
