// The raw consume limit of this machine and broker: a plain librdkafka
// KafkaConsumer with the fetch settings of txstream's ingress
// (actors/kafka/ingress_actor.cpp) that only counts records. It joins a
// fresh group, reads from the earliest offset until every partition reached
// EOF and `--count` records were seen, and prints:
//   raw consumed=<n> bytes=<payload bytes> seconds=<first to last record> rate=<msgs/s> join_s=<start to first record> cpu_user_s=<> cpu_sys_s=<>
// With --latency it also takes, per record, the wall clock at receipt minus
// the record's "transactionTime" (the input path: generator, broker, fetch)
// (skipping the first --latency-skip records) and prints as the last line:
//   raw_latency n=<samples> p50_ms=<> p99_ms=<> max_ms=<>
// --latency-timeline adds, before it, one line per second of transactionTime
// (from the first sampled record), to tell a start-up transient or a
// periodic stall of the input path from steady delay:
//   raw_latency_second s=<second> n=<> p50_ms=<> p99_ms=<> max_ms=<>
// --batch takes records 256 per call (rd_kafka_consume_batch_queue) instead
// of one per consume() call: the same fetching, less CPU per record on the
// calling thread, but librdkafka 2.0's batch API loses records around
// rebalances, so the ingress polls one message at a time. The benchmarks'
// raw limit is the default, which reads as the ingress does.
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <sys/resource.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

namespace {

using clock_type = std::chrono::steady_clock;

struct options {
  std::string bootstrap = "127.0.0.1:9092";
  std::string topic;
  std::string group;
  std::uint64_t count = 0;
  int timeout_s = 600;
  bool latency = false;
  bool timeline = false;           // per-second lines too
  std::uint64_t latency_skip = 0;  // warm-up: first records not sampled
  int idle_exit_ms = 0;            // >0: stop this long after the last record
  bool batch = false;              // take records 256 per call, as the ingress does
};

[[noreturn]] void usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s --topic T --group G --count N [--bootstrap B] [--timeout S] "
               "[--latency [--latency-skip K] [--latency-timeline]] [--idle-exit-ms MS] "
               "[--batch]\n",
               argv0);
  std::exit(2);
}

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    auto arg = [&]() -> const char* {
      if (i + 1 >= argc)
        usage(argv[0]);
      return argv[++i];
    };
    if (std::strcmp(argv[i], "--bootstrap") == 0)
      o.bootstrap = arg();
    else if (std::strcmp(argv[i], "--topic") == 0)
      o.topic = arg();
    else if (std::strcmp(argv[i], "--group") == 0)
      o.group = arg();
    else if (std::strcmp(argv[i], "--count") == 0)
      o.count = std::strtoull(arg(), nullptr, 10);
    else if (std::strcmp(argv[i], "--timeout") == 0)
      o.timeout_s = std::atoi(arg());
    else if (std::strcmp(argv[i], "--latency") == 0)
      o.latency = true;
    else if (std::strcmp(argv[i], "--latency-timeline") == 0)
      o.latency = o.timeline = true;
    else if (std::strcmp(argv[i], "--batch") == 0)
      o.batch = true;
    else if (std::strcmp(argv[i], "--idle-exit-ms") == 0)
      o.idle_exit_ms = std::atoi(arg());
    else if (std::strcmp(argv[i], "--latency-skip") == 0)
      o.latency_skip = std::strtoull(arg(), nullptr, 10);
    else
      usage(argv[0]);
  }
  if (o.topic.empty() || o.group.empty() || o.count == 0)
    usage(argv[0]);
  return o;
}

void set(RdKafka::Conf& conf, const std::string& key, const std::string& value) {
  std::string err;
  if (conf.set(key, value, err) != RdKafka::Conf::CONF_OK) {
    std::fprintf(stderr, "raw_consumer: %s=%s: %s\n", key.c_str(), value.c_str(), err.c_str());
    std::exit(1);
  }
}

int partition_count(RdKafka::KafkaConsumer& c, const std::string& topic) {
  std::string err;
  std::unique_ptr<RdKafka::Topic> t{RdKafka::Topic::create(&c, topic, nullptr, err)};
  RdKafka::Metadata* md = nullptr;
  if (!t || c.metadata(false, t.get(), &md, 10000) != RdKafka::ERR_NO_ERROR)
    return -1;
  std::unique_ptr<RdKafka::Metadata> owned{md};
  for (const auto* tm : *md->topics())
    if (tm->topic() == topic && tm->err() == RdKafka::ERR_NO_ERROR)
      return static_cast<int>(tm->partitions()->size());
  return -1;
}

/// Event time of a transaction payload ("transactionTime"), or -1.
std::int64_t transaction_time(std::string_view json) {
  constexpr std::string_view key = "\"transactionTime\":";
  auto pos = json.find(key);
  if (pos == std::string_view::npos)
    return -1;
  std::int64_t v = 0;
  for (pos += key.size(); pos < json.size() && json[pos] >= '0' && json[pos] <= '9'; ++pos)
    v = v * 10 + (json[pos] - '0');
  return v;
}

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

double percentile(const std::vector<std::int64_t>& xs, double p) {
  if (xs.empty())
    return 0;
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(xs.size())));
  return static_cast<double>(xs[std::max<std::size_t>(rank, 1) - 1]);
}

/// One raw_latency_second line per second of transactionTime, counted from
/// the earliest sampled record.
void print_timeline(const std::vector<std::int64_t>& times,
                    const std::vector<std::int64_t>& latencies) {
  if (times.empty())
    return;
  const auto t0 = *std::min_element(times.begin(), times.end());
  std::vector<std::vector<std::int64_t>> by_second;
  for (std::size_t i = 0; i < times.size(); ++i) {
    auto s = static_cast<std::size_t>((times[i] - t0) / 1000);
    if (s >= by_second.size())
      by_second.resize(s + 1);
    by_second[s].push_back(latencies[i]);
  }
  for (std::size_t s = 0; s < by_second.size(); ++s) {
    auto& xs = by_second[s];
    std::sort(xs.begin(), xs.end());
    std::printf("raw_latency_second s=%zu n=%zu p50_ms=%.0f p99_ms=%.0f max_ms=%.0f\n", s,
                xs.size(), percentile(xs, 0.5), percentile(xs, 0.99),
                xs.empty() ? 0.0 : static_cast<double>(xs.back()));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const auto opt = parse(argc, argv);
  std::unique_ptr<RdKafka::Conf> conf{RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL)};
  set(*conf, "bootstrap.servers", opt.bootstrap);
  set(*conf, "group.id", opt.group);
  set(*conf, "client.id", "bench-e2e-raw");
  set(*conf, "session.timeout.ms", "6000");
  // The ingress's settings, so only the processing differs.
  set(*conf, "enable.auto.commit", "false");
  set(*conf, "enable.auto.offset.store", "false");
  set(*conf, "auto.offset.reset", "earliest");
  set(*conf, "partition.assignment.strategy", "cooperative-sticky");
  set(*conf, "enable.partition.eof", "true");
  set(*conf, "isolation.level", "read_committed");
  set(*conf, "queued.min.messages", "10000000");
  set(*conf, "queued.max.messages.kbytes", "131072");  // kafka.prefetch_kbytes
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> c{RdKafka::KafkaConsumer::create(conf.get(), err)};
  if (!c) {
    std::fprintf(stderr, "raw_consumer: %s\n", err.c_str());
    return 1;
  }
  const int partitions = partition_count(*c, opt.topic);
  if (partitions <= 0) {
    std::fprintf(stderr, "raw_consumer: topic %s not found\n", opt.topic.c_str());
    return 1;
  }
  if (auto e = c->subscribe({opt.topic}); e != RdKafka::ERR_NO_ERROR) {
    std::fprintf(stderr, "raw_consumer: subscribe: %s\n", RdKafka::err2str(e).c_str());
    return 1;
  }
  const auto start = clock_type::now();
  const auto deadline = start + std::chrono::seconds(opt.timeout_s);
  clock_type::time_point first{};
  clock_type::time_point last{};
  std::uint64_t n = 0;
  std::uint64_t bytes = 0;
  std::set<std::int32_t> at_eof;
  std::vector<std::int64_t> latencies;
  std::vector<std::int64_t> times;  // transactionTime per latency, for --latency-timeline
  int rc = 0;
  // One record or event, however it was taken; false on a fatal error.
  auto take = [&](RdKafka::ErrorCode err, std::int32_t partition, std::string_view payload,
                  const auto& describe_error) {
    switch (err) {
      case RdKafka::ERR_NO_ERROR:
        if (n == 0)
          first = clock_type::now();
        ++n;
        bytes += payload.size();
        last = clock_type::now();
        at_eof.erase(partition);
        if (opt.latency && n > opt.latency_skip) {
          auto t = transaction_time(payload);
          if (t >= 0) {
            latencies.push_back(wall_ms() - t);
            if (opt.timeline)
              times.push_back(t);
          }
        }
        return true;
      case RdKafka::ERR__PARTITION_EOF: at_eof.insert(partition); return true;
      case RdKafka::ERR__TIMED_OUT: return true;
      default:
        std::fprintf(stderr, "raw_consumer: %s\n", std::string{describe_error()}.c_str());
        return err != RdKafka::ERR__FATAL;
    }
  };
  rd_kafka_queue_t* queue = opt.batch ? rd_kafka_queue_get_consumer(c->c_ptr()) : nullptr;
  std::vector<rd_kafka_message_t*> batch(256);
  while (n < opt.count || static_cast<int>(at_eof.size()) < partitions) {
    if (clock_type::now() > deadline) {
      std::fprintf(stderr, "raw_consumer: timed out at %" PRIu64 " of %" PRIu64 " records\n", n,
                   opt.count);
      rc = 1;
      break;
    }
    if (opt.idle_exit_ms > 0 && n > 0
        && clock_type::now() - last > std::chrono::milliseconds(opt.idle_exit_ms))
      break;  // a live producer stopped early; the count check reports it
    if (opt.batch) {
      // As the ingress takes them: up to 256 messages per call.
      const auto got = rd_kafka_consume_batch_queue(queue, 100, batch.data(), batch.size());
      for (ssize_t i = 0; i < got; ++i) {
        const auto* m = batch[static_cast<std::size_t>(i)];
        const bool fatal = !take(static_cast<RdKafka::ErrorCode>(m->err), m->partition,
                                 {static_cast<const char*>(m->payload), m->len},
                                 [m] { return rd_kafka_message_errstr(m); });
        rd_kafka_message_destroy(batch[static_cast<std::size_t>(i)]);
        if (fatal)
          return 1;
      }
      continue;
    }
    std::unique_ptr<RdKafka::Message> msg{c->consume(100)};
    if (!take(msg->err(), msg->partition(), {static_cast<const char*>(msg->payload()), msg->len()},
              [&msg] { return msg->errstr(); }))
      return 1;
  }
  if (queue != nullptr)
    rd_kafka_queue_destroy(queue);
  c->close();
  if (n != opt.count) {
    std::fprintf(stderr, "raw_consumer: read %" PRIu64 " records, expected %" PRIu64 "\n", n,
                 opt.count);
    rc = 1;
  }
  const double seconds = std::chrono::duration<double>(last - first).count();
  const double join = std::chrono::duration<double>(first - start).count();
  // The process's CPU (librdkafka's threads included), start-up and group
  // join too, as the node's own cpu_user_ms/cpu_sys_ms count theirs.
  rusage use{};
  getrusage(RUSAGE_SELF, &use);
  auto cpu_s = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  std::printf("raw consumed=%" PRIu64 " bytes=%" PRIu64 " seconds=%.3f rate=%.0f join_s=%.3f "
              "cpu_user_s=%.2f cpu_sys_s=%.2f\n",
              n, bytes, seconds, seconds > 0 ? static_cast<double>(n) / seconds : 0.0, join,
              cpu_s(use.ru_utime), cpu_s(use.ru_stime));
  if (opt.timeline)
    print_timeline(times, latencies);
  if (opt.latency) {
    std::sort(latencies.begin(), latencies.end());
    std::printf("raw_latency n=%zu p50_ms=%.0f p99_ms=%.0f max_ms=%.0f\n", latencies.size(),
                percentile(latencies, 0.5), percentile(latencies, 0.99),
                latencies.empty() ? 0.0 : static_cast<double>(latencies.back()));
  }
  return rc;
}
