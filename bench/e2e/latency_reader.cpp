// Event-to-anomaly latency: reads an anomalies topic from the beginning to
// its high watermarks and, per record, subtracts the triggering
// transaction's event time (the anomaly's "eventTime") from the record's
// Kafka CreateTime (set by the node's producer when it produced the record).
// Only meaningful when the input carried wall-clock event times. With
// --timeline, first one line per second of event time (Unix seconds), so a
// slow moment can be matched with the broker's log and the machine's:
//   latency_second <unix_s> n=<> p50_ms=<> p99_ms=<> max_ms=<>
// Prints (last line):
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
};

[[noreturn]] void usage(const char* argv0) {
  std::fprintf(stderr, "usage: %s --topic T [--bootstrap B] [--min-event-ms MS] [--timeline]\n", argv0);
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
    std::fprintf(stderr, "latency_reader: %s=%s: %s\n", key.c_str(), value.c_str(),
                 err.c_str());
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

/// Nearest-rank percentile of sorted `xs`.
double percentile(const std::vector<std::int64_t>& xs, double p) {
  if (xs.empty())
    return 0;
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(xs.size())));
  return static_cast<double>(xs[std::max<std::size_t>(rank, 1) - 1]);
}

} // namespace

int main(int argc, char** argv) {
  const auto opt = parse(argc, argv);
  std::unique_ptr<RdKafka::Conf> conf{RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL)};
  set(*conf, "bootstrap.servers", opt.bootstrap);
  set(*conf, "group.id", "bench-e2e-latency");  // required; nothing is committed
  set(*conf, "enable.auto.commit", "false");
  set(*conf, "enable.partition.eof", "true");
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> c{RdKafka::KafkaConsumer::create(conf.get(), err)};
  if (!c) {
    std::fprintf(stderr, "latency_reader: %s\n", err.c_str());
    return 1;
  }
  std::unique_ptr<RdKafka::Topic> t{RdKafka::Topic::create(c.get(), opt.topic, nullptr, err)};
  RdKafka::Metadata* raw_md = nullptr;
  if (!t || c->metadata(false, t.get(), &raw_md, 10000) != RdKafka::ERR_NO_ERROR) {
    std::fprintf(stderr, "latency_reader: no metadata for %s\n", opt.topic.c_str());
    return 1;
  }
  std::unique_ptr<RdKafka::Metadata> md{raw_md};
  std::vector<RdKafka::TopicPartition*> parts;
  std::map<std::int32_t, std::int64_t> high;  // partition -> high watermark
  for (const auto* tm : *md->topics()) {
    if (tm->topic() != opt.topic)
      continue;
    for (const auto* pm : *tm->partitions()) {
      std::int64_t lo = 0;
      std::int64_t hi = 0;
      if (c->query_watermark_offsets(opt.topic, pm->id(), &lo, &hi, 10000)
          != RdKafka::ERR_NO_ERROR) {
        std::fprintf(stderr, "latency_reader: no watermarks for partition %d\n", pm->id());
        return 1;
      }
      if (hi > lo) {
        high[pm->id()] = hi;
        parts.push_back(RdKafka::TopicPartition::create(opt.topic, pm->id(), lo));
      }
    }
  }
  if (!parts.empty())
    c->assign(parts);
  RdKafka::TopicPartition::destroy(parts);
  std::vector<std::int64_t> samples;
  std::map<std::int64_t, std::vector<std::int64_t>> by_second;  // --timeline
  std::map<std::string, std::uint64_t> per_rule;
  std::uint64_t unparsable = 0;
  std::uint64_t wrong_timestamp = 0;
  int idle = 0;
  while (!high.empty() && idle < 300) {
    std::unique_ptr<RdKafka::Message> msg{c->consume(100)};
    switch (msg->err()) {
      case RdKafka::ERR_NO_ERROR: {
        idle = 0;
        auto it = high.find(msg->partition());
        if (it != high.end() && msg->offset() + 1 >= it->second)
          high.erase(it);
        std::string_view value{static_cast<const char*>(msg->payload()), msg->len()};
        std::int64_t event = 0;
        if (!int_field(value, "eventTime", event)) {
          ++unparsable;
          break;
        }
        auto ts = msg->timestamp();
        if (ts.type != RdKafka::MessageTimestamp::MSG_TIMESTAMP_CREATE_TIME) {
          ++wrong_timestamp;
          break;
        }
        if (event < opt.min_event_ms)
          break;
        samples.push_back(ts.timestamp - event);
        if (opt.timeline)
          by_second[event / 1000].push_back(ts.timestamp - event);
        ++per_rule[string_field(value, "ruleId")];
        break;
      }
      case RdKafka::ERR__PARTITION_EOF:
        high.erase(msg->partition());
        break;
      case RdKafka::ERR__TIMED_OUT:
        ++idle;
        break;
      default:
        std::fprintf(stderr, "latency_reader: %s\n", msg->errstr().c_str());
        break;
    }
  }
  c->close();
  if (!high.empty())
    std::fprintf(stderr, "latency_reader: topic not read to its end\n");
  if (unparsable + wrong_timestamp > 0)
    std::fprintf(stderr, "latency_reader: %" PRIu64 " without eventTime, %" PRIu64
                 " without CreateTime\n", unparsable, wrong_timestamp);
  for (auto& [second, xs] : by_second) {
    std::sort(xs.begin(), xs.end());
    std::printf("latency_second %" PRId64 " n=%zu p50_ms=%.0f p99_ms=%.0f max_ms=%" PRId64 "\n",
                second, xs.size(), percentile(xs, 0.50), percentile(xs, 0.99), xs.back());
  }
  std::sort(samples.begin(), samples.end());
  std::string rules;
  for (const auto& [rule, n] : per_rule)
    rules += " " + rule + "=" + std::to_string(n);
  std::printf("anomalies by rule:%s\n", rules.empty() ? " none" : rules.c_str());
  std::printf("latency n=%zu p50_ms=%.0f p90_ms=%.0f p99_ms=%.0f max_ms=%.0f min_ms=%.0f\n",
              samples.size(), percentile(samples, 0.50), percentile(samples, 0.90),
              percentile(samples, 0.99), samples.empty() ? 0.0 : double(samples.back()),
              samples.empty() ? 0.0 : double(samples.front()));
  return high.empty() && !samples.empty() ? 0 : 1;
}
