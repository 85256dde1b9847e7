// `txstream generate`: synthetic transactions (actors/generator_state) to
// Kafka at a target rate, through an idempotent producer whose every
// delivery report is counted.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <limits>
#include <map>
#include <set>
#include <thread>

#include <CLI/CLI.hpp>
#include <unistd.h>  // isatty

#include "actors/fraud_scenarios.hpp"
#include "actors/generator_state.hpp"
#include "actors/kafka/producer.hpp"
#include "actors/kafka/topic_admin.hpp"
#include "config/generator_config.hpp"
#include "config/kafka_config.hpp"
#include "config/node_config_loader.hpp"
#include "config/topics_config.hpp"
#include "messages/json_encoder.hpp"
#include "messages/kafka_headers.hpp"
#include "nodes/application.hpp"
#include "nodes/commands.hpp"
#include "nodes/pregenerated_input.hpp"
#include "nodes/rate_limiter.hpp"

namespace txstream {

namespace {

using std::chrono::steady_clock;

/// Event-time spacing of `--start-time` runs with `--rate max`.
constexpr std::uint64_t nominal_max_rate = 10000;

/// Records enqueued per limiter check at most; bounds signal latency.
constexpr std::uint64_t max_burst = 1000;

struct generate_options {
  kafka_config kafka;
  std::string topic = topics_config{}.transactions.name;
  std::string rate = "1000";
  std::uint64_t count = 0;   // 0: no limit
  double duration_s = 0;     // 0: no limit
  generator_config gen;
  std::int64_t start_time_ms = -1;  // -1: wall clock
  std::uint64_t event_rate = 0;     // virtual records per event-time second
  bool drain_scenarios = false;
  bool pregenerate = false;
  std::string compression = "lz4";
};

// SIGINT/SIGTERM received so far: the first ends the run (or starts the
// drain), the next ends the drain, one more abandons the final flush.
volatile std::sig_atomic_t stop_signals = 0;

void on_stop_signal(int) {
  stop_signals = stop_signals + 1;
}

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

double seconds_since(steady_clock::time_point t0) {
  return std::chrono::duration<double>(steady_clock::now() - t0).count();
}

struct counters {
  std::uint64_t sent = 0;       // enqueued in librdkafka
  std::uint64_t delivered = 0;  // acknowledged by the broker
  std::uint64_t failed = 0;     // rejected by produce() or failed delivery
  std::map<std::string, std::uint64_t> errors;  // text -> occurrences
};

// Generates and encodes `total` records ahead of the run into `out`, with
// event times spaced at `rate` from now (the send loop rewrites them).
bool pregenerate(generator_state& gen, std::uint64_t total, std::uint64_t rate,
                 bool tty, pregenerated_input& out) {
  const auto t0 = steady_clock::now();
  const auto base = wall_clock_ms();
  out.reserve(total, 300);
  std::string value;
  for (std::uint64_t i = 0; i < total; ++i) {
    if (stop_signals > 0) {
      std::cerr << "txstream: generate interrupted while pregenerating; nothing sent\n";
      return false;
    }
    const auto& rec = gen.next(base + static_cast<std::int64_t>(i * 1000 / rate));
    value.clear();
    encode_json(rec.txn, value);
    if (!out.add(rec.txn.user_id, value, rec.fraud_label)) {
      std::cerr << "txstream: error: cannot pregenerate record " << i
                << " (no 13-digit transactionTime)\n";
      return false;
    }
    if (tty && (i & 0xFFFFF) == 0)
      std::fprintf(stderr, "\rpregenerate: %" PRIu64 " of %" PRIu64 " records\033[K", i, total);
  }
  if (tty)
    std::fputs("\r\033[K", stderr);
  std::fprintf(stderr, "pregenerated %zu records (%.1f GB) in %.1f s\n", out.size(),
               static_cast<double>(out.bytes()) / 1e9, seconds_since(t0));
  return true;
}

int run_generate(const generate_options& opt) {
  const bool unlimited = opt.rate == "max";
  const std::uint64_t rate = unlimited ? 0 : std::stoull(opt.rate);
  if (opt.pregenerate
      && (unlimited || (opt.count == 0 && opt.duration_s <= 0) || opt.start_time_ms >= 0
          || opt.drain_scenarios)) {
    std::cerr << "txstream: error: --pregenerate needs a numeric --rate and --count or "
                 "--duration, and excludes --start-time and --drain-scenarios (it sends "
                 "a fixed set of records with wall-clock event times)\n";
    return exit_usage;
  }
  // The [kafka.client] properties of the environment (no config file here).
  const auto client =
    kafka::client_properties(client_properties_from_env(txstream_environment()));
  {
    // Fail fast and clearly instead of librdkafka timing out per record.
    kafka::topic_admin admin{opt.kafka.bootstrap, 10000, client};
    // A topic created a moment ago may not be in every broker's metadata yet.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    auto d = admin.describe({topic_spec{opt.topic, 1, 1, {}}});
    while ((d.empty() || !d.front().exists) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      d = admin.describe({topic_spec{opt.topic, 1, 1, {}}});
    }
    if (d.empty() || !d.front().exists) {
      std::cerr << "txstream: error: topic " << opt.topic
                << " does not exist (run 'txstream topics create')\n";
      return exit_failure;
    }
  }
  counters c;
  kafka::settings producer_settings{
    {"bootstrap.servers", opt.kafka.bootstrap},
    {"client.id", "txstream-generate"},
    {"enable.idempotence", "true"},
    {"acks", "all"},
    {"linger.ms", "10"},
    {"batch.num.messages", "10000"},
    {"batch.size", "1000000"},
    {"queue.buffering.max.messages", "200000"},
    {"queue.buffering.max.kbytes", "262144"},
    {"compression.type", opt.compression},
    {"message.timeout.ms", "120000"},
    // The Java client's default: the same key lands on the same partition
    // whichever client produced it.
    {"partitioner", "murmur2_random"}};
  producer_settings.insert(producer_settings.end(), client.begin(), client.end());
  kafka::producer producer{
    producer_settings,
    [&c](const kafka::delivery_report& r) {
      if (r.ok) {
        ++c.delivered;
      } else {
        ++c.failed;
        ++c.errors[r.error];
      }
    }};
  // Before the first record: records of an unknown topic wait for
  // librdkafka's once-a-second topic scan (the first second's latency).
  if (!producer.prepare_topics({opt.topic}, 10000).empty())
    std::cerr << "txstream: warning: no metadata for topic " << opt.topic
              << " yet; the first records may wait for it\n";
  auto* topic = producer.topic(opt.topic);
  if (topic == nullptr) {
    std::cerr << "txstream: error: cannot create a producer handle for topic " << opt.topic
              << "\n";
    return exit_failure;
  }
  install_stop_handlers();
  generator_state gen{opt.gen};
  std::map<std::string, std::set<std::uint64_t>> instances;  // scenario -> ids
  const bool tty = isatty(STDERR_FILENO) == 1;
  pregenerated_input ahead;
  std::uint64_t sent_ahead = 0;  // records of `ahead` sent so far
  if (opt.pregenerate) {
    auto total = opt.count > 0 ? opt.count
                               : static_cast<std::uint64_t>(opt.duration_s * rate);
    if (!pregenerate(gen, total, rate, tty, ahead))
      return exit_failure;
  }
  const auto t0 = steady_clock::now();
  // For benchmarks: wall-clock event times (and any warm-up) count from
  // here, which --pregenerate puts after its generation phase.
  std::fprintf(stderr, "generate: sending from %" PRId64 "\n", wall_clock_ms());
  std::fflush(stderr);
  rate_limiter limiter{rate, t0};
  auto limit = opt.count > 0 ? opt.count : std::numeric_limits<std::uint64_t>::max();
  auto deadline = steady_clock::time_point::max();
  if (opt.duration_s > 0) {
    deadline = t0 + std::chrono::duration_cast<steady_clock::duration>(
                      std::chrono::duration<double>(opt.duration_s));
    // Exactly rate x duration records are due before the deadline.
    if (!unlimited)
      limit = std::min(limit, static_cast<std::uint64_t>(opt.duration_s * rate));
  }
  const std::uint64_t spacing_rate =
    opt.event_rate > 0 ? opt.event_rate : unlimited ? nominal_max_rate : rate;
  bool draining = false;
  std::string value;
  kafka::header_list headers;
  auto next_progress = t0 + std::chrono::seconds(1);
  std::uint64_t last_sent = 0;
  auto progress = [&](steady_clock::time_point now, const char* what) {
    if (!tty)
      return;
    std::fprintf(stderr,
                 "\r%s: rate %8" PRIu64 "/s  sent %10" PRIu64 "  delivered %10" PRIu64
                 "  errors %" PRIu64 "\033[K",
                 what, c.sent - last_sent, c.sent, c.delivered, c.failed);
    last_sent = c.sent;
    next_progress = now + std::chrono::seconds(1);
  };
  std::sig_atomic_t signals_at_drain = 0;
  for (;;) {
    auto generated = opt.pregenerate ? sent_ahead : gen.generated();
    auto now = steady_clock::now();
    if (draining) {
      if (gen.pending() == 0 || stop_signals > signals_at_drain)
        break;
    } else if (generated >= limit || now >= deadline || stop_signals > 0) {
      if (!opt.drain_scenarios || gen.pending() == 0)
        break;
      // Finish the started fraud instances: no new ones, the same pace and
      // clock, until their last transactions are out (or another signal).
      draining = true;
      signals_at_drain = stop_signals;
      gen.set_fraud_rate(0);
      limit = std::numeric_limits<std::uint64_t>::max();
      deadline = steady_clock::time_point::max();
    }
    if (now >= next_progress)
      progress(now, "generate");
    auto n = std::min(limiter.available(now, max_burst), limit - generated);
    if (draining)
      n = std::min<std::uint64_t>(n, 1);  // re-check pending() per record
    if (n == 0) {
      // Short sleeps: signals and progress stay responsive at low rates. At
      // least 1 ms: waking per record at high rates cost a tenth of the CPU;
      // what fell due meanwhile goes out as one burst.
      auto wake = std::max(limiter.next_due(), now + std::chrono::milliseconds(1));
      std::this_thread::sleep_until(
        std::min({wake, now + std::chrono::milliseconds(50), deadline}));
      producer.poll(0);
      continue;
    }
    for (std::uint64_t i = 0; i < n; ++i) {
      std::string_view key, payload, fraud_label;
      if (opt.pregenerate) {
        auto rec = ahead.at(sent_ahead++, wall_clock_ms());
        key = rec.key;
        payload = rec.payload;
        fraud_label = rec.label;
      } else {
        auto index = gen.generated();
        auto event_time =
          opt.start_time_ms >= 0
            ? opt.start_time_ms + static_cast<std::int64_t>(index * 1000 / spacing_rate)
            : wall_clock_ms();
        const auto& rec = gen.next(event_time);
        value.clear();
        encode_json(rec.txn, value);
        key = rec.txn.user_id;
        payload = value;
        fraud_label = rec.fraud_label;
      }
      headers.clear();
      if (!fraud_label.empty())
        headers.emplace_back(std::string{fraud_header}, std::string{fraud_label});
      auto err = producer.produce(topic, -1, key, payload, &headers);
      if (err.empty()) {
        ++c.sent;
        if (auto label = parse_fraud_label(fraud_label))
          instances[std::string{label->scenario}].insert(label->instance);
      } else {
        ++c.failed;
        ++c.errors[err];
      }
      // Delivery reports: served every few hundred records, not per record.
      if ((i & 255) == 255)
        producer.poll(0);
    }
    producer.poll(0);
    limiter.take(n);
  }
  const double generate_seconds = seconds_since(t0);
  const auto signals_at_stop = stop_signals;
  // Flush in slices so the progress line keeps moving while it drains.
  const auto flush_deadline = steady_clock::now() + std::chrono::seconds(130);
  while (producer.in_flight() > 0 && steady_clock::now() < flush_deadline
         && stop_signals == signals_at_stop) {
    producer.flush(500);
    progress(steady_clock::now(), "flush");
  }
  if (tty)
    std::fputs("\r\033[K", stderr);
  if (auto left = producer.in_flight(); left > 0) {
    c.failed += static_cast<std::uint64_t>(left);
    c.errors["not delivered (flush timed out or interrupted)"] += static_cast<std::uint64_t>(left);
  }
  const double elapsed = seconds_since(t0);
  for (const auto& [text, n] : c.errors)
    std::cerr << "txstream: error: " << n << " record(s): " << text << "\n";
  std::string scenarios;
  for (const auto& [name, ids] : instances)
    scenarios += " " + name + "=" + std::to_string(ids.size());
  char line[512];
  std::snprintf(line, sizeof line,
                "generated %" PRIu64 " records to %s in %.3f s (%.1f msgs/s; "
                "%.3f s producing): delivered %" PRIu64 ", errors %" PRIu64
                "; fraud instances:%s\n",
                c.sent, opt.topic.c_str(), elapsed, c.sent / elapsed, generate_seconds,
                c.delivered, c.failed, scenarios.empty() ? " none" : scenarios.c_str());
  std::cout << line;
  std::snprintf(line, sizeof line,
                "generate sent=%" PRIu64 " delivered=%" PRIu64 " errors=%" PRIu64
                " seconds=%.3f rate=%.1f\n",
                c.sent, c.delivered, c.failed, elapsed, c.sent / elapsed);
  std::cout << line << std::flush;
  return c.failed == 0 && c.delivered == c.sent ? exit_ok : exit_failure;
}

} // namespace

void add_generate_command(CLI::App& app, command_action& action) {
  auto* cmd = app.add_subcommand(
    "generate", "Produce synthetic transactions with labelled fraud scenarios to "
                "Kafka at a target rate");
  // Lives as long as the App.
  static generate_options opt;
  cmd->add_option("--bootstrap", opt.kafka.bootstrap, "Kafka bootstrap servers")
    ->envname("TXSTREAM_BOOTSTRAP")
    ->capture_default_str();
  cmd->add_option("--topic", opt.topic, "Topic to produce to")->capture_default_str();
  cmd
    ->add_option("--rate", opt.rate,
                 "Records per second, or 'max' for as fast as the broker takes them")
    ->check([](const std::string& s) -> std::string {
      if (s == "max")
        return {};
      if (s.empty() || s.size() > 10
          || s.find_first_not_of("0123456789") != std::string::npos
          || std::stoull(s) == 0)
        return "must be a positive integer or 'max'";
      return {};
    })
    ->capture_default_str();
  auto* count = cmd->add_option("--count", opt.count,
                                "Stop after this many records (default: no limit)")
                  ->check(CLI::PositiveNumber);
  cmd
    ->add_option("--duration", opt.duration_s,
                 "Stop after this many seconds (default: no limit)")
    ->check(CLI::PositiveNumber)
    ->excludes(count);
  cmd->add_option("--seed", opt.gen.seed, "PRNG seed")->capture_default_str();
  cmd->add_option("--users", opt.gen.users, "Distinct users")
    ->check(CLI::Range(1u, 100000000u))
    ->capture_default_str();
  cmd->add_option("--merchants", opt.gen.merchants, "Distinct merchants")
    ->check(CLI::Range(1u, 10000000u))
    ->capture_default_str();
  cmd->add_option("--fraud-rate", opt.gen.fraud_rate,
                  "Fraction of records that start a fraud scenario")
    ->check(CLI::Range(0.0, 1.0))
    ->capture_default_str();
  cmd
    ->add_option("--start-time", opt.start_time_ms,
                 "Virtual event time of the first record (epoch ms); record i gets "
                 "start + i * 1000 / rate, so runs are byte-identical per seed "
                 "(default: wall clock)")
    ->check(CLI::NonNegativeNumber);
  cmd
    ->add_option("--event-rate", opt.event_rate,
                 "With --start-time: records per second of event time (default: "
                 "--rate, 10000 for max), e.g. --rate max --event-rate 10 for hours "
                 "of human-paced traffic in seconds")
    ->check(CLI::PositiveNumber);
  cmd->add_flag("--drain-scenarios", opt.drain_scenarios,
                "When --count, --duration or a signal ends the run, keep generating "
                "(no new fraud instances) until every started instance is complete; "
                "these records come on top of --count");
  cmd->add_flag("--pregenerate", opt.pregenerate,
                "Generate and encode every record before sending, then send them at "
                "--rate with transactionTime set to the wall clock at sending: the "
                "generator's CPU then stays out of what a latency benchmark on the "
                "same machine measures (memory: ~300 bytes per record)");
  cmd->add_option("--compression", opt.compression, "Producer compression codec")
    ->check(CLI::IsMember({"none", "lz4", "zstd", "snappy", "gzip"}))
    ->capture_default_str();
  cmd->callback([&action] { action = [] { return run_generate(opt); }; });
}

} // namespace txstream
