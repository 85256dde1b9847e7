// Event-to-anomaly latency: reads an anomalies topic from the beginning to
// its high watermarks and, per record, subtracts the triggering
// transaction's event time (the anomaly's "eventTime") from the record's
// Kafka CreateTime (set by the node's producer when it produced the record).
// Only meaningful when the input carried wall-clock event times. The
// anomaly's "detectedAt" splits that time in two: to_detector = detectedAt -
// eventTime (generator, broker, ingress, partition-consumer, detector queue)
// and to_kafka = CreateTime - detectedAt (the alert sink). With --timeline,
// first one line per second of event time (Unix seconds), so a slow moment
// can be matched with the broker's log and the machine's:
//   latency_second <unix_s> n=<> p50_ms=<> p99_ms=<> max_ms=<> to_detector_p99_ms=<>
//     to_detector_max_ms=<> to_kafka_p99_ms=<> to_kafka_max_ms=<>
// With --aggregates the topic holds aggregates instead, and each record's
// latency is its CreateTime minus the newest event time it can reflect: a
// window's windowEnd (so it includes the allowed lateness the window waits
// by design); a per-merchant total without windows ({merchantId,
// transactionCount}, the reference Spark job's) reflects the merchant's
// first transactionCount transactions, so the event time of the merchant's
// transactionCount-th transaction in event-time order, read from
// --input-topic. Running totals are skipped (they go out with windows).
// Prints (last two lines):
//   latency_parts to_detector_p99_ms=<> to_detector_max_ms=<> to_kafka_p99_ms=<> to_kafka_max_ms=<>
//   latency n=<samples> p50_ms=<> p90_ms=<> p99_ms=<> max_ms=<> min_ms=<>
#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <librdkafka/rdkafkacpp.h>

namespace {

struct options {
  std::string bootstrap = "127.0.0.1:9092";
  std::string topic;
  std::int64_t min_event_ms = 0;  // ignore anomalies of earlier events
  bool timeline = false;
  // --aggregates: the topic holds aggregates, not anomalies (see the top).
  bool aggregates = false;
  std::string input_topic;  // for merchant totals without windows
};

[[noreturn]] void usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s --topic T [--bootstrap B] [--min-event-ms MS] [--timeline]\n"
               "          [--aggregates [--input-topic T]]\n",
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
    else if (std::strcmp(argv[i], "--min-event-ms") == 0)
      o.min_event_ms = std::strtoll(arg(), nullptr, 10);
    else if (std::strcmp(argv[i], "--timeline") == 0)
      o.timeline = true;
    else if (std::strcmp(argv[i], "--aggregates") == 0)
      o.aggregates = true;
    else if (std::strcmp(argv[i], "--input-topic") == 0)
      o.input_topic = arg();
    else
      usage(argv[0]);
  }
  if (o.topic.empty())
    usage(argv[0]);
  return o;
}

void set(RdKafka::Conf& conf, const std::string& key, const std::string& value) {
  std::string err;
  if (conf.set(key, value, err) != RdKafka::Conf::CONF_OK) {
    std::fprintf(stderr, "latency_reader: %s=%s: %s\n", key.c_str(), value.c_str(), err.c_str());
    std::exit(1);
  }
}

/// The integer after `"name":` in a flat JSON object; false when absent.
bool int_field(std::string_view json, std::string_view name, std::int64_t& out) {
  std::string needle = "\"" + std::string{name} + "\":";
  auto pos = json.find(needle);
  if (pos == std::string_view::npos)
    return false;
  std::string digits{json.substr(pos + needle.size(), 24)};
  char* end = nullptr;
  out = std::strtoll(digits.c_str(), &end, 10);
  return end != digits.c_str();
}

std::string string_field(std::string_view json, std::string_view name) {
  std::string needle = "\"" + std::string{name} + "\":\"";
  auto pos = json.find(needle);
  if (pos == std::string_view::npos)
    return "?";
  auto begin = pos + needle.size();
  return std::string{json.substr(begin, json.find('"', begin) - begin)};
}

/// One anomaly's latency and its two parts (ms).
struct sample {
  std::int64_t total = 0;        // CreateTime - eventTime
  std::int64_t to_detector = 0;  // detectedAt - eventTime
  std::int64_t to_kafka = 0;     // CreateTime - detectedAt
};

/// Nearest-rank percentile of sorted `xs`.
double percentile(const std::vector<std::int64_t>& xs, double p) {
  if (xs.empty())
    return 0;
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(xs.size())));
  return static_cast<double>(xs[std::max<std::size_t>(rank, 1) - 1]);
}

/// One part of every sample, sorted.
std::vector<std::int64_t> sorted_part(const std::vector<sample>& xs, std::int64_t sample::*part) {
  std::vector<std::int64_t> v;
  v.reserve(xs.size());
  for (const auto& x : xs)
    v.push_back(x.*part);
  std::sort(v.begin(), v.end());
  return v;
}

/// "to_detector_p99_ms=.. to_detector_max_ms=.. to_kafka_p99_ms=.. to_kafka_max_ms=..":
/// whether slow anomalies waited before the detector or after it.
std::string describe_parts(const std::vector<sample>& xs) {
  const auto before = sorted_part(xs, &sample::to_detector);
  const auto after = sorted_part(xs, &sample::to_kafka);
  char line[160];
  std::snprintf(line, sizeof(line),
                "to_detector_p99_ms=%.0f to_detector_max_ms=%" PRId64
                " to_kafka_p99_ms=%.0f to_kafka_max_ms=%" PRId64,
                percentile(before, 0.99), before.empty() ? 0 : before.back(),
                percentile(after, 0.99), after.empty() ? 0 : after.back());
  return line;
}

}  // namespace

/// Reads `topic` from its low to its high watermarks at the start, calling
/// on_message for each record. False when it could not be read to the end.
template <class F>
bool read_topic(const options& opt, const std::string& topic, F&& on_message) {
  std::unique_ptr<RdKafka::Conf> conf{RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL)};
  set(*conf, "bootstrap.servers", opt.bootstrap);
  set(*conf, "group.id", "bench-e2e-latency");  // required; nothing is committed
  set(*conf, "enable.auto.commit", "false");
  set(*conf, "enable.partition.eof", "true");
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> c{RdKafka::KafkaConsumer::create(conf.get(), err)};
  if (!c) {
    std::fprintf(stderr, "latency_reader: %s\n", err.c_str());
    return false;
  }
  std::unique_ptr<RdKafka::Topic> t{RdKafka::Topic::create(c.get(), topic, nullptr, err)};
  RdKafka::Metadata* raw_md = nullptr;
  if (!t || c->metadata(false, t.get(), &raw_md, 10000) != RdKafka::ERR_NO_ERROR) {
    std::fprintf(stderr, "latency_reader: no metadata for %s\n", topic.c_str());
    return false;
  }
  std::unique_ptr<RdKafka::Metadata> md{raw_md};
  std::vector<RdKafka::TopicPartition*> parts;
  std::map<std::int32_t, std::int64_t> high;  // partition -> high watermark
  for (const auto* tm : *md->topics()) {
    if (tm->topic() != topic)
      continue;
    for (const auto* pm : *tm->partitions()) {
      std::int64_t lo = 0;
      std::int64_t hi = 0;
      if (c->query_watermark_offsets(topic, pm->id(), &lo, &hi, 10000) != RdKafka::ERR_NO_ERROR) {
        std::fprintf(stderr, "latency_reader: no watermarks for partition %d\n", pm->id());
        return false;
      }
      if (hi > lo) {
        high[pm->id()] = hi;
        parts.push_back(RdKafka::TopicPartition::create(topic, pm->id(), lo));
      }
    }
  }
  if (!parts.empty())
    c->assign(parts);
  RdKafka::TopicPartition::destroy(parts);
  int idle = 0;
  while (!high.empty() && idle < 300) {
    std::unique_ptr<RdKafka::Message> msg{c->consume(100)};
    switch (msg->err()) {
      case RdKafka::ERR_NO_ERROR: {
        idle = 0;
        auto it = high.find(msg->partition());
        if (it != high.end() && msg->offset() + 1 >= it->second)
          high.erase(it);
        on_message(*msg);
        break;
      }
      case RdKafka::ERR__PARTITION_EOF: high.erase(msg->partition()); break;
      case RdKafka::ERR__TIMED_OUT: ++idle; break;
      default: std::fprintf(stderr, "latency_reader: %s\n", msg->errstr().c_str()); break;
    }
  }
  c->close();
  if (!high.empty())
    std::fprintf(stderr, "latency_reader: %s not read to its end\n", topic.c_str());
  return high.empty();
}

/// --aggregates: one latency per window or merchant total (see the top).
int aggregates_main(const options& opt) {
  // Per merchant, the event times of its input transactions, sorted.
  std::map<std::string, std::vector<std::int64_t>> events;
  if (!opt.input_topic.empty()) {
    read_topic(opt, opt.input_topic, [&](RdKafka::Message& msg) {
      std::string_view value{static_cast<const char*>(msg.payload()), msg.len()};
      std::int64_t t = 0;
      if (int_field(value, "transactionTime", t))
        events[string_field(value, "merchantId")].push_back(t);
    });
    for (auto& [m, ts] : events)
      std::sort(ts.begin(), ts.end());
  }
  std::vector<std::int64_t> windows;
  std::vector<std::int64_t> merchant_totals;
  std::uint64_t skipped = 0;
  bool complete = read_topic(opt, opt.topic, [&](RdKafka::Message& msg) {
    std::string_view value{static_cast<const char*>(msg.payload()), msg.len()};
    auto ts = msg.timestamp();
    if (ts.type != RdKafka::MessageTimestamp::MSG_TIMESTAMP_CREATE_TIME) {
      ++skipped;
      return;
    }
    std::int64_t end = 0;
    std::int64_t count = 0;
    if (int_field(value, "windowEnd", end)) {
      if (end >= opt.min_event_ms)
        windows.push_back(ts.timestamp - end);
    } else if (value.find("\"type\":\"total\"") == std::string_view::npos
               && int_field(value, "transactionCount", count) && count > 0) {
      auto it = events.find(string_field(value, "merchantId"));
      if (it == events.end() || static_cast<std::size_t>(count) > it->second.size()) {
        ++skipped;
        return;
      }
      auto newest = it->second[static_cast<std::size_t>(count) - 1];
      if (newest >= opt.min_event_ms)
        merchant_totals.push_back(ts.timestamp - newest);
    }
  });
  if (skipped > 0)
    std::fprintf(stderr, "latency_reader: %" PRIu64 " aggregates without CreateTime or input\n",
                 skipped);
  auto& xs = windows.empty() ? merchant_totals : windows;
  std::sort(xs.begin(), xs.end());
  std::printf("latency kind=%s n=%zu p50_ms=%.0f p90_ms=%.0f p99_ms=%.0f max_ms=%.0f min_ms=%.0f\n",
              !windows.empty()           ? "windows"
              : !merchant_totals.empty() ? "merchant_totals"
                                         : "none",
              xs.size(), percentile(xs, 0.50), percentile(xs, 0.90), percentile(xs, 0.99),
              xs.empty() ? 0.0 : double(xs.back()), xs.empty() ? 0.0 : double(xs.front()));
  return complete && !xs.empty() ? 0 : 1;
}

int main(int argc, char** argv) {
  const auto opt = parse(argc, argv);
  if (opt.aggregates)
    return aggregates_main(opt);
  std::vector<sample> samples;
  std::map<std::int64_t, std::vector<sample>> by_second;  // --timeline
  std::map<std::string, std::uint64_t> per_rule;
  std::uint64_t unparsable = 0;
  std::uint64_t wrong_timestamp = 0;
  bool complete = read_topic(opt, opt.topic, [&](RdKafka::Message& msg) {
    std::string_view value{static_cast<const char*>(msg.payload()), msg.len()};
    std::int64_t event = 0;
    std::int64_t detected = 0;
    if (!int_field(value, "eventTime", event) || !int_field(value, "detectedAt", detected)) {
      ++unparsable;
      return;
    }
    auto ts = msg.timestamp();
    if (ts.type != RdKafka::MessageTimestamp::MSG_TIMESTAMP_CREATE_TIME) {
      ++wrong_timestamp;
      return;
    }
    if (event < opt.min_event_ms)
      return;
    const sample x{ts.timestamp - event, detected - event, ts.timestamp - detected};
    samples.push_back(x);
    if (opt.timeline)
      by_second[event / 1000].push_back(x);
    ++per_rule[string_field(value, "ruleId")];
  });
  if (unparsable + wrong_timestamp > 0)
    std::fprintf(stderr,
                 "latency_reader: %" PRIu64 " without eventTime or detectedAt, %" PRIu64
                 " without CreateTime\n",
                 unparsable, wrong_timestamp);
  for (const auto& [second, xs] : by_second) {
    const auto total = sorted_part(xs, &sample::total);
    const auto parts = describe_parts(xs);
    std::printf("latency_second %" PRId64 " n=%zu p50_ms=%.0f p99_ms=%.0f max_ms=%" PRId64 " %s\n",
                second, xs.size(), percentile(total, 0.50), percentile(total, 0.99), total.back(),
                parts.c_str());
  }
  const auto total = sorted_part(samples, &sample::total);
  std::string rules;
  for (const auto& [rule, n] : per_rule)
    rules += " " + rule + "=" + std::to_string(n);
  std::printf("anomalies by rule:%s\n", rules.empty() ? " none" : rules.c_str());
  std::printf("latency_parts %s\n", describe_parts(samples).c_str());
  std::printf("latency n=%zu p50_ms=%.0f p90_ms=%.0f p99_ms=%.0f max_ms=%.0f min_ms=%.0f\n",
              total.size(), percentile(total, 0.50), percentile(total, 0.90),
              percentile(total, 0.99), total.empty() ? 0.0 : double(total.back()),
              total.empty() ? 0.0 : double(total.front()));
  return complete && !samples.empty() ? 0 : 1;
}
