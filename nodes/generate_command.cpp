// `txstream generate`: synthetic transactions (actors/generator_state) to
// Kafka at a target rate, in phases: check the topic, optionally encode
// everything first, send until the run's end, finish the started fraud
// instances, flush, report.
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <limits>
#include <optional>
#include <thread>

#include <CLI/CLI.hpp>
#include <unistd.h>  // isatty

#include "actors/generator_state.hpp"
#include "actors/kafka/client_config.hpp"
#include "actors/kafka/topic_admin.hpp"
#include "messages/json_encoder.hpp"
#include "monitoring/generator_probe.hpp"
#include "monitoring/health.hpp"
#include "monitoring/http_endpoint.hpp"
#include "monitoring/metrics_registry.hpp"
#include "nodes/application.hpp"
#include "nodes/commands.hpp"
#include "nodes/generate_options.hpp"
#include "nodes/generate_sender.hpp"
#include "nodes/pregenerated_input.hpp"
#include "nodes/rate_limiter.hpp"

namespace txstream {

namespace {

using std::chrono::steady_clock;

/// Records enqueued per limiter check at most; bounds signal latency.
constexpr std::uint64_t max_burst = 1000;

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

/// Fails fast and clearly instead of librdkafka timing out per record.
bool topic_exists(const generate_plan& plan, const kafka::settings& client) {
  kafka::topic_admin admin{plan.kafka.bootstrap, 10000, client};
  // A topic created a moment ago may not be in every broker's metadata yet.
  auto deadline = steady_clock::now() + std::chrono::seconds(10);
  auto d = admin.describe({topic_spec{plan.topic, 1, 1, {}}});
  while ((d.empty() || !d.front().exists) && steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    d = admin.describe({topic_spec{plan.topic, 1, 1, {}}});
  }
  return !d.empty() && d.front().exists;
}

// Generates and encodes `total` records ahead of the run into `out`, with
// event times spaced at `rate` from now (the send loop rewrites them).
bool pregenerate(generator_state& gen, std::uint64_t total, std::uint64_t rate,
                 pregenerated_input& out) {
  const bool tty = isatty(STDERR_FILENO) == 1;
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

/// One run's moving parts, shared by its phases.
struct run_state {
  const generate_plan& plan;
  generator_state& gen;
  generate_sender& out;
  pregenerated_input ahead;
  std::uint64_t sent_ahead = 0;  // records of `ahead` sent so far
  steady_clock::time_point t0;
  rate_limiter limiter;
  std::int64_t virtual_now_ms = 0;  // event time of the last virtual record
  std::string value;                // reused encode buffer

  std::uint64_t produced() const {
    return plan.pregenerate ? sent_ahead : gen.generated();
  }
};

void send_generated(run_state& s, const generated_record& rec) {
  s.value.clear();
  encode_json(rec.txn, s.value);
  s.out.send(rec.txn.user_id, s.value, rec.fraud_label);
}

// The next record of the run proper: pregenerated, or generated now at the
// virtual clock's or the wall clock's time.
void send_next(run_state& s) {
  if (s.plan.pregenerate) {
    auto rec = s.ahead.at(s.sent_ahead++, wall_clock_ms());
    s.out.send(rec.key, rec.payload, rec.label);
    return;
  }
  auto event_time = wall_clock_ms();
  if (s.plan.start_time_ms >= 0) {
    auto index = s.gen.generated();
    event_time = s.plan.start_time_ms + static_cast<std::int64_t>(index * 1000 / s.plan.event_rate);
    s.virtual_now_ms = event_time;
  }
  send_generated(s, s.gen.next(event_time));
}

// Sleeps until `wake` at the latest, in short slices: signals and progress
// stay responsive at low rates. At least 1 ms: waking per record at high
// rates cost a tenth of the CPU; what fell due meanwhile goes out as one burst.
void wait_until(run_state& s, steady_clock::time_point wake) {
  auto now = steady_clock::now();
  wake = std::max(wake, now + std::chrono::milliseconds(1));
  std::this_thread::sleep_until(std::min(wake, now + std::chrono::milliseconds(50)));
  s.out.poll();
}

/// Sends at the plan's rate until --count, --duration or a signal ends the run.
void send_run(run_state& s) {
  auto limit = s.plan.count > 0 ? s.plan.count : std::numeric_limits<std::uint64_t>::max();
  auto deadline = steady_clock::time_point::max();
  if (s.plan.duration_s > 0) {
    deadline = s.t0
               + std::chrono::duration_cast<steady_clock::duration>(
                 std::chrono::duration<double>(s.plan.duration_s));
    // Exactly rate x duration records are due before the deadline.
    if (s.plan.rate > 0)
      limit = std::min(limit, static_cast<std::uint64_t>(s.plan.duration_s * s.plan.rate));
  }
  for (;;) {
    auto now = steady_clock::now();
    if (s.produced() >= limit || now >= deadline || stop_signals > 0)
      return;
    s.out.progress(now, "generate");
    auto n = std::min(s.limiter.available(now, max_burst), limit - s.produced());
    if (n == 0) {
      wait_until(s, std::min(s.limiter.next_due(), deadline));
      continue;
    }
    for (std::uint64_t i = 0; i < n; ++i)
      send_next(s);
    s.out.poll();
    s.limiter.take(n);
  }
}

/// Sends the rest of every started fraud instance, each at its due time and
/// nothing else: the wall clock waits for it, the virtual clock jumps to it.
/// Ends early at one more signal.
void drain_scenarios(run_state& s) {
  auto last = s.gen.last_due_ms();
  if (!last)
    return;
  const bool live = s.plan.start_time_ms < 0;
  const auto from = live ? wall_clock_ms() : s.virtual_now_ms;
  const auto span_s = static_cast<long long>(
    std::ceil(std::max<std::int64_t>(0, *last - from) / 1000.0));
  std::fprintf(stderr,
               "generate: finishing %zu started fraud instances (%zu transactions), %s "
               "%lld s%s; --no-drain-scenarios to stop at once, a signal (Ctrl-C) "
               "stops it now\n",
               s.gen.unfinished_instances(), s.gen.pending(), live ? "up to" : "over", span_s,
               live ? "" : " of event time");
  std::fflush(stderr);
  const auto signals_at_drain = stop_signals;
  while (auto due = s.gen.next_due_ms()) {
    if (stop_signals > signals_at_drain) {
      std::fprintf(stderr, "generate: drain stopped; %zu fraud instances left unfinished\n",
                   s.gen.unfinished_instances());
      return;
    }
    auto now = steady_clock::now();
    s.out.progress(now, "finish fraud");
    auto event_time = live ? wall_clock_ms() : std::max(s.virtual_now_ms, *due);
    if (event_time < *due) {
      wait_until(s, now + std::chrono::milliseconds(*due - event_time));
      continue;
    }
    if (s.limiter.available(now, 1) == 0) {
      wait_until(s, s.limiter.next_due());
      continue;
    }
    s.virtual_now_ms = event_time;
    send_generated(s, *s.gen.next_scheduled(event_time));
    s.out.poll();
    s.limiter.take(1);
  }
}

/// The summary lines on stdout; the exit code.
int report(const run_state& s, double generate_seconds) {
  const auto& c = s.out.counts();
  const double elapsed = seconds_since(s.t0);
  for (const auto& [text, n] : c.errors)
    std::cerr << "txstream: error: " << n << " record(s): " << text << "\n";
  std::string unfinished;
  if (auto left = s.plan.pregenerate ? 0 : s.gen.unfinished_instances(); left > 0)
    unfinished = " (" + std::to_string(left) + " unfinished)";
  char line[512];
  std::snprintf(line, sizeof line,
                "generated %" PRIu64 " records to %s in %.3f s (%.1f msgs/s; "
                "%.3f s producing): delivered %" PRIu64 ", errors %" PRIu64
                "; fraud instances:%s%s\n",
                c.sent, s.plan.topic.c_str(), elapsed, c.sent / elapsed, generate_seconds,
                c.delivered, c.failed, s.out.instances_summary().c_str(), unfinished.c_str());
  std::cout << line;
  std::snprintf(line, sizeof line,
                "generate sent=%" PRIu64 " delivered=%" PRIu64 " errors=%" PRIu64
                " seconds=%.3f rate=%.1f\n",
                c.sent, c.delivered, c.failed, elapsed, c.sent / elapsed);
  std::cout << line << std::flush;
  return c.failed == 0 && c.delivered == c.sent ? exit_ok : exit_failure;
}

void announce_pace(const generate_plan& plan) {
  std::fprintf(stderr,
               "generate: %" PRIu64 " users at %" PRIu64 " records per second of event "
               "time: %.2f transactions per user and hour\n",
               plan.gen.users, plan.event_rate,
               static_cast<double>(plan.event_rate) * 3600.0 / static_cast<double>(plan.gen.users));
}

int run_generate(const generate_flags& flags) {
  if (auto error = generate_usage_error(flags); !error.empty()) {
    std::cerr << "txstream: error: " << error << "\n";
    return exit_usage;
  }
  const auto plan = plan_generate(flags, load_config(flags.config, txstream_environment()));
  const auto client = kafka::client_properties(plan.kafka.client);
  // Metrics only when asked for: a generator beside a node on one host
  // would otherwise take the node's default port.
  monitoring::metrics_registry registry{TXSTREAM_VERSION};
  monitoring::generator_probe probe{registry};
  monitoring::health_state health;
  std::optional<monitoring::http_endpoint> http;
  if (flags.metrics_port) {
    try {
      http.emplace(monitoring::http_endpoint_config{"0.0.0.0", static_cast<std::uint16_t>(
                                                                 *flags.metrics_port)},
                   registry, health.checks());
    } catch (const std::exception& e) {
      std::cerr << "txstream: error: cannot serve metrics: " << e.what() << "\n";
      return exit_failure;
    }
    health.set_ready(false, "topic not checked yet");
    std::fprintf(stderr, "generate: metrics on port %u\n", static_cast<unsigned>(http->port()));
  }
  if (!topic_exists(plan, client)) {
    std::cerr << "txstream: error: topic " << plan.topic
              << " does not exist (run 'txstream topics create')\n";
    return exit_failure;
  }
  generate_sender out{plan, client};
  if (auto error = out.open(); !error.empty()) {
    std::cerr << "txstream: error: " << error << "\n";
    return exit_failure;
  }
  out.report_to(&probe);
  health.set_ready(true);
  install_stop_handlers();
  announce_pace(plan);
  generator_state gen{plan.gen};
  run_state s{plan, gen, out, {}, 0, {}, rate_limiter{plan.rate, steady_clock::now()}, 0, {}};
  if (plan.pregenerate) {
    auto total = plan.count > 0 ? plan.count
                                : static_cast<std::uint64_t>(plan.duration_s * plan.rate);
    if (!pregenerate(gen, total, plan.rate, s.ahead))
      return exit_failure;
  }
  s.t0 = steady_clock::now();
  s.limiter = rate_limiter{plan.rate, s.t0};
  // For benchmarks: wall-clock event times (and any warm-up) count from
  // here, which --pregenerate puts after its generation phase.
  std::fprintf(stderr, "generate: sending from %" PRId64 "\n", wall_clock_ms());
  std::fflush(stderr);
  send_run(s);
  if (plan.drain)
    drain_scenarios(s);
  const double generate_seconds = seconds_since(s.t0);
  const auto signals_at_stop = stop_signals;
  out.flush([signals_at_stop] { return stop_signals != signals_at_stop; });
  return report(s, generate_seconds);
}

}  // namespace

void add_generate_command(CLI::App& app, command_action& action) {
  auto* cmd = app.add_subcommand("generate",
                                 "Produce synthetic transactions with labelled fraud scenarios to "
                                 "Kafka at a target rate");
  // Lives as long as the App.
  static generate_flags opt;
  static bool drain = false;
  add_config_options(*cmd, opt.config);
  cmd->add_option("--topic", opt.topic,
                  "Topic to produce to (default: topics.transactions.name of the "
                  "config, financial_transactions)");
  cmd
    ->add_option("--rate", opt.rate,
                 "Records per second, or 'max' for as fast as the broker takes them")
    ->check([](const std::string& s) -> std::string {
      if (s == "max")
        return {};
      if (s.empty() || s.size() > 10 || s.find_first_not_of("0123456789") != std::string::npos
          || std::stoull(s) == 0)
        return "must be a positive integer or 'max'";
      return {};
    })
    ->capture_default_str();
  auto* count = cmd
                  ->add_option("--count", opt.count,
                               "Stop after this many records (default: no limit)")
                  ->check(CLI::PositiveNumber);
  cmd->add_option("--duration", opt.duration_s, "Stop after this many seconds (default: no limit)")
    ->check(CLI::PositiveNumber)
    ->excludes(count);
  cmd->add_option("--seed", opt.gen.seed, "PRNG seed")->capture_default_str();
  cmd
    ->add_option("--users", opt.users,
                 "Distinct users (default: 1000 per record per second of event time, "
                 "i.e. --event-rate, else --rate, 10000 for max: each user then makes "
                 "3.6 transactions an hour, the human pace the fraud rules are tuned "
                 "for; users cost no memory)")
    ->check(CLI::Range(std::uint64_t{1}, max_generator_users));
  cmd->add_option("--merchants", opt.gen.merchants, "Distinct merchants")
    ->check(CLI::Range(1u, 10000000u))
    ->capture_default_str();
  cmd
    ->add_option("--fraud-rate", opt.gen.fraud_rate,
                 "Fraction of records that start a fraud scenario")
    ->check(CLI::Range(0.0, 1.0))
    ->capture_default_str();
  cmd
    ->add_option("--start-time", opt.start_time_ms,
                 "Virtual event time of the first record (epoch ms); record i gets "
                 "start + i * 1000 / event rate, so runs are byte-identical per seed "
                 "(default: wall clock)")
    ->check(CLI::NonNegativeNumber);
  cmd
    ->add_option("--event-rate", opt.event_rate,
                 "With --start-time: records per second of event time (default: "
                 "--rate, 10000 for max), e.g. --rate max --event-rate 10 for hours "
                 "of human-paced traffic in seconds")
    ->check(CLI::PositiveNumber);
  auto* drain_flag = cmd->add_flag(
    "--drain-scenarios,!--no-drain-scenarios", drain,
    "When the run ends (--count, --duration or a signal), send the rest of every "
    "started fraud instance, each at its due time (the wall clock waits for it, "
    "--start-time's clock jumps to it), and nothing else, so that every instance "
    "is complete; these records come on top of --count. Default: on for runs with "
    "--count or --duration and without --pregenerate (an instance takes at most "
    "2 min), off otherwise; a second signal ends it");
  cmd->add_flag("--pregenerate", opt.pregenerate,
                "Generate and encode every record before sending, then send them at "
                "--rate with transactionTime set to the wall clock at sending: the "
                "generator's CPU then stays out of what a latency benchmark on the "
                "same machine measures (memory: ~300 bytes per record; started fraud "
                "instances are not finished)");
  cmd
    ->add_option("--metrics-port", opt.metrics_port,
                 "Serve /metrics (txstream_generator_sent_total, ..._errors_total), "
                 "/healthz and /readyz on this port of every interface (0: any free "
                 "port; default: no endpoint)")
    ->check(CLI::Range(0, 65535));
  cmd->add_option("--compression", opt.compression, "Producer compression codec")
    ->check(CLI::IsMember({"none", "lz4", "zstd", "snappy", "gzip"}))
    ->capture_default_str();
  cmd->callback([&action, drain_flag] {
    if (drain_flag->count() > 0)
      opt.drain_scenarios = drain;
    action = [] { return run_generate(opt); };
  });
}

}  // namespace txstream
