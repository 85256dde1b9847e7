// Loading, validating and describing node_config through one key table:
// every source (TOML, environment) and every output (describe, errors) walks
// the same entries, so a key added here is supported everywhere at once.
#include "config/node_config_loader.hpp"

#include <algorithm>
#include <cassert>
#include <cctype>    // std::toupper
#include <charconv>  // from_chars/to_chars: locale-independent, round-trip exact
#include <cmath>     // std::isfinite
#include <cstdint>
#include <cstdio>  // std::snprintf
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <sstream>
#include <type_traits>
#include <utility>
#include <variant>

#include <toml++/toml.h>

extern char** environ;  // POSIX: the process environment

namespace txstream {
namespace {

enum class value_kind { string, boolean, integer, floating };

using value = std::variant<std::string, bool, std::int64_t, double>;

/// An error text such as "must be > 0", or nothing when the value is fine.
using rule = std::function<std::optional<std::string>(const value&)>;

/// One configurable key: its name, its one-line documentation, how to read
/// and write it in a node_config, and the bounds a loaded value must meet.
struct key_entry {
  std::string name;  // "aggregation.window_ms"
  std::string doc;
  value_kind kind;
  std::function<value(const node_config&)> get;
  /// Returns an error text if the member's type cannot hold the value.
  std::function<std::optional<std::string>(node_config&, const value&)> set;
  rule check;  // may be empty
};

template <class T>
constexpr value_kind kind_of() {
  if constexpr (std::is_same_v<T, std::string>)
    return value_kind::string;
  else if constexpr (std::is_same_v<T, bool>)
    return value_kind::boolean;
  else if constexpr (std::is_floating_point_v<T>)
    return value_kind::floating;
  else
    return value_kind::integer;
}

std::string format_double(double d) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), d);
  std::string s(buf, res.ptr);
  // TOML needs a '.' or exponent to read the number back as a float.
  if (s.find_first_of(".eEna") == std::string::npos)
    s += ".0";
  return s;
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

/// A value as TOML source text.
std::string render(const value& v) {
  if (auto* s = std::get_if<std::string>(&v))
    return quote(*s);
  if (auto* b = std::get_if<bool>(&v))
    return *b ? "true" : "false";
  if (auto* i = std::get_if<std::int64_t>(&v))
    return std::to_string(*i);
  return format_double(std::get<double>(v));
}

/// A key whose member is reached through `access`, a generic lambda
/// `[](auto& c) -> auto& { return c.section.member; }` that works for const
/// and mutable configs alike.
template <class Access>
key_entry make_key(std::string name, std::string doc, Access access, rule check = {}) {
  using T =
    std::remove_cv_t<std::remove_reference_t<decltype(access(std::declval<node_config&>()))>>;
  key_entry e{std::move(name), std::move(doc), kind_of<T>(), {}, {}, std::move(check)};
  e.get = [access](const node_config& c) -> value {
    const T& x = access(c);
    if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool>)
      return value{std::in_place_type<T>, x};
    else if constexpr (std::is_floating_point_v<T>)
      return value{std::in_place_type<double>, static_cast<double>(x)};
    else
      return value{std::in_place_type<std::int64_t>, static_cast<std::int64_t>(x)};
  };
  e.set = [access](node_config& c, const value& v) -> std::optional<std::string> {
    T& x = access(c);
    if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool>) {
      x = std::get<T>(v);
    } else if constexpr (std::is_floating_point_v<T>) {
      double d = std::get<double>(v);
      if (!std::isfinite(d))
        return "must be a finite number";
      x = static_cast<T>(d);
    } else {
      constexpr std::int64_t lo = std::numeric_limits<T>::min();
      constexpr auto hi = static_cast<std::int64_t>(std::min<std::uint64_t>(
        std::numeric_limits<T>::max(), std::numeric_limits<std::int64_t>::max()));
      auto i = std::get<std::int64_t>(v);
      if (i < lo || i > hi)
        return "must be in " + std::to_string(lo) + ".." + std::to_string(hi);
      x = static_cast<T>(i);
    }
    return std::nullopt;
  };
  return e;
}

// -- rules --------------------------------------------------------------------

rule positive() {
  return [](const value& v) -> std::optional<std::string> {
    if (auto* i = std::get_if<std::int64_t>(&v); i && *i > 0)
      return std::nullopt;
    if (auto* d = std::get_if<double>(&v); d && *d > 0)
      return std::nullopt;
    return "must be > 0";
  };
}

rule at_least(std::int64_t min) {
  return [min](const value& v) -> std::optional<std::string> {
    if (std::get<std::int64_t>(v) >= min)
      return std::nullopt;
    return "must be >= " + std::to_string(min);
  };
}

rule between(std::int64_t lo, std::int64_t hi) {
  return [lo, hi](const value& v) -> std::optional<std::string> {
    auto i = std::get<std::int64_t>(v);
    if (i >= lo && i <= hi)
      return std::nullopt;
    return "must be in " + std::to_string(lo) + ".." + std::to_string(hi);
  };
}

/// "" or "host:port".
rule host_port_or_empty() {
  return [](const value& v) -> std::optional<std::string> {
    const auto& s = std::get<std::string>(v);
    std::string host;
    std::uint16_t port = 0;
    if (s.empty() || split_host_port(s, host, port))
      return std::nullopt;
    return "must be host:port (port 1..65535) or empty";
  };
}

/// A list of known roles.
rule roles_rule() {
  return [](const value& v) -> std::optional<std::string> {
    auto parsed = parse_roles(std::get<std::string>(v));
    if (parsed.ok)
      return std::nullopt;
    return "must be a comma-separated list of ingest, aggregate (unknown: '" + parsed.bad + "')";
  };
}

/// 0 (meaning "derive it"), or what `inner` accepts.
rule zero_or(rule inner) {
  return [inner](const value& v) -> std::optional<std::string> {
    if (auto* i = std::get_if<std::int64_t>(&v); i && *i == 0)
      return std::nullopt;
    auto why = inner(v);
    const std::string must = "must be ";
    if (why && why->rfind(must, 0) == 0)
      return "must be 0 or " + why->substr(must.size());
    return why;
  };
}

rule greater_than(double min) {
  return [min](const value& v) -> std::optional<std::string> {
    if (std::get<double>(v) > min)
      return std::nullopt;
    return "must be > " + format_double(min);
  };
}

/// (0, 1]: a smoothing factor.
rule fraction() {
  return [](const value& v) -> std::optional<std::string> {
    auto d = std::get<double>(v);
    if (d > 0 && d <= 1)
      return std::nullopt;
    return "must be in (0, 1]";
  };
}

rule non_empty() {
  return [](const value& v) -> std::optional<std::string> {
    if (!std::get<std::string>(v).empty())
      return std::nullopt;
    return "must not be empty";
  };
}

rule one_of(std::vector<std::string> allowed) {
  return [allowed](const value& v) -> std::optional<std::string> {
    const auto& s = std::get<std::string>(v);
    std::string list;
    for (const auto& a : allowed) {
      if (s == a)
        return std::nullopt;
      list += list.empty() ? a : ", " + a;
    }
    return "must be one of " + list;
  };
}

// -- the key table ------------------------------------------------------------

void add_topic(std::vector<key_entry>& keys, const std::string& topic,
               topic_spec topics_config::*member, const std::string& what) {
  auto prefix = "topics." + topic + ".";
  keys.push_back(make_key(
    prefix + "name",
    "Kafka topic of " + what + ".", [member](auto& c) -> auto& { return (c.topics.*member).name; },
    non_empty()));
  keys.push_back(make_key(
    prefix + "partitions", "Partitions when txstream creates the topic.",
    [member](auto& c) -> auto& { return (c.topics.*member).partitions; }, positive()));
  keys.push_back(make_key(
    prefix + "replication", "Replication factor on creation (capped at the broker count).",
    [member](auto& c) -> auto& { return (c.topics.*member).replication; }, between(1, 32767)));
}

std::vector<key_entry> build_keys() {
  std::vector<key_entry> k;
  auto add = [&k](key_entry e) { k.push_back(std::move(e)); };

  add(make_key(
    "node.id", "Node identity in logs, metrics and Kafka client ids.",
    [](auto& c) -> auto& { return c.node_id; }, non_empty()));
  add(make_key(
    "node.scheduler_threads", "CAF scheduler worker threads.",
    [](auto& c) -> auto& { return c.scheduler_threads; }, between(1, 64)));
  add(make_key(
    "node.scheduler_policy",
    "CAF scheduling: \"sharing\" (one job queue, idle workers block) or "
    "\"stealing\" (a queue per worker, idle workers poll and sleep).",
    [](auto& c) -> auto& { return c.scheduler_policy; }, one_of({"sharing", "stealing"})));

  add(make_key(
    "cluster.listen",
    "host:port this node listens on for its peers; empty: a single node, no "
    "listener.",
    [](auto& c) -> auto& { return c.cluster.listen; }, host_port_or_empty()));
  add(make_key(
    "cluster.advertise", "host:port peers connect to (e.g. a container name); empty: listen.",
    [](auto& c) -> auto& { return c.cluster.advertise; }, host_port_or_empty()));
  add(make_key(
    "cluster.roles",
    "What the node does: ingest (consume partitions, detect fraud), aggregate "
    "(host merchant shards).",
    [](auto& c) -> auto& { return c.cluster.roles; }, roles_rule()));
  add(make_key(
    "cluster.heartbeat_ms", "How often the node writes its heartbeat.",
    [](auto& c) -> auto& { return c.cluster.heartbeat_ms; }, positive()));
  add(make_key(
    "cluster.node_timeout_ms", "Silence after which a node counts as gone and its shards move.",
    [](auto& c) -> auto& { return c.cluster.node_timeout_ms; }, positive()));
  add(make_key(
    "cluster.tls.ca", "PEM file of the cluster CA (mutual TLS between nodes).",
    [](auto& c) -> auto& { return c.cluster.tls_ca; }));
  add(make_key(
    "cluster.tls.certificate", "PEM file of this node's certificate.",
    [](auto& c) -> auto& { return c.cluster.tls_certificate; }));
  add(make_key(
    "cluster.tls.key", "PEM file of this node's private key.",
    [](auto& c) -> auto& { return c.cluster.tls_key; }));
  add(make_key(
    "kafka.bootstrap", "Comma-separated host:port list of brokers.",
    [](auto& c) -> auto& { return c.kafka.bootstrap; }, non_empty()));
  add(make_key(
    "kafka.group_id", "Consumer group of the partition-consumers.",
    [](auto& c) -> auto& { return c.kafka.group_id; }, non_empty()));
  add(make_key(
    "kafka.session_timeout_ms",
    "librdkafka session timeout; low so a restarted node rejoins quickly.",
    [](auto& c) -> auto& { return c.kafka.session_timeout_ms; }, between(1, 3'600'000)));
  add(make_key(
    "kafka.prefetch_kbytes",
    "KiB of input librdkafka prefetches; 0: a sixteenth of pipeline.memory_budget_mb.",
    [](auto& c) -> auto& { return c.kafka.prefetch_kbytes; }, zero_or(between(1024, 2'097'151))));

  add_topic(k, "transactions", &topics_config::transactions, "incoming transactions");
  add_topic(k, "aggregates", &topics_config::aggregates, "closed merchant windows");
  add_topic(k, "anomalies", &topics_config::anomalies, "fraud alerts");
  add_topic(k, "deadletter", &topics_config::deadletter, "records that failed to decode");
  add_topic(k, "control", &topics_config::control, "control messages (compacted)");
  add_topic(k, "state", &topics_config::state, "aggregator snapshots (compacted)");

  add(make_key(
    "aggregation.shards", "Virtual merchant shards: fnv1a_64(merchant_id) mod shards.",
    [](auto& c) -> auto& { return c.aggregation.shards; }, positive()));
  add(make_key(
    "aggregation.shard_actors",
    "Aggregator actors on a node; actor i hosts shards i, i + actors, ...",
    [](auto& c) -> auto& { return c.aggregation.shard_actors; }, between(1, 4096)));
  add(make_key(
    "aggregation.window_ms", "Length of the tumbling event-time windows.",
    [](auto& c) -> auto& { return c.aggregation.window_ms; }, positive()));
  add(make_key(
    "aggregation.allowed_lateness_ms",
    "How far a partition's watermark trails its maximum event time.",
    [](auto& c) -> auto& { return c.aggregation.allowed_lateness_ms; }, at_least(0)));
  add(make_key(
    "aggregation.idle_partition_timeout_ms",
    "Wall-clock silence after which a partition read to its log end (confirmed "
    "by the broker) stops holding watermarks back.",
    [](auto& c) -> auto& { return c.aggregation.idle_partition_timeout_ms; }, positive()));
  add(make_key(
    "aggregation.totals_interval_ms",
    "Running totals go out at most this often (wall clock); 0: with every close.",
    [](auto& c) -> auto& { return c.aggregation.totals_interval_ms; }, at_least(0)));

  add(make_key(
    "fraud.max_history_per_user", "Most transactions kept per user.",
    [](auto& c) -> auto& { return c.fraud.max_history_per_user; }, positive()));
  add(make_key(
    "fraud.eviction_slack_ms",
    "Extra idle time before a user's state is evicted (event-time skew).",
    [](auto& c) -> auto& { return c.fraud.eviction_slack_ms; }, at_least(0)));
  add(make_key(
    "fraud.replay_ms",
    "Event time of its partition a restarted detector re-reads to rebuild its "
    "users' history (0: none).",
    [](auto& c) -> auto& { return c.fraud.replay_ms; }, at_least(0)));

  const std::string enabled = "Whether the rule runs.";
  const std::string version = "Rule version stamped on its alerts.";
  const std::string cooldown = "Quiet time per user after an alert of this rule.";

  add(make_key(
    "fraud.high_frequency.enabled", enabled,
    [](auto& c) -> auto& { return c.fraud.high_frequency.enabled; }));
  add(make_key(
    "fraud.high_frequency.version", version,
    [](auto& c) -> auto& { return c.fraud.high_frequency.version; }, at_least(1)));
  add(make_key(
    "fraud.high_frequency.max_count",
    "Alert when a user makes more than this many transactions in window_ms.",
    [](auto& c) -> auto& { return c.fraud.high_frequency.max_count; }, positive()));
  add(make_key(
    "fraud.high_frequency.window_ms", "Sliding window over which max_count is counted.",
    [](auto& c) -> auto& { return c.fraud.high_frequency.window_ms; }, positive()));
  add(make_key(
    "fraud.high_frequency.cooldown_ms", cooldown,
    [](auto& c) -> auto& { return c.fraud.high_frequency.cooldown_ms; }, at_least(0)));

  add(make_key(
    "fraud.card_testing.enabled", enabled,
    [](auto& c) -> auto& { return c.fraud.card_testing.enabled; }));
  add(make_key(
    "fraud.card_testing.version", version,
    [](auto& c) -> auto& { return c.fraud.card_testing.version; }, at_least(1)));
  add(make_key(
    "fraud.card_testing.small_amount_cents",
    "A purchase of at most this many USD cents counts as a probe.",
    [](auto& c) -> auto& { return c.fraud.card_testing.small_amount_cents; }, positive()));
  add(make_key(
    "fraud.card_testing.min_count", "Alert at this many probes within window_ms.",
    [](auto& c) -> auto& { return c.fraud.card_testing.min_count; }, positive()));
  add(make_key(
    "fraud.card_testing.window_ms", "Sliding window over which probes are counted.",
    [](auto& c) -> auto& { return c.fraud.card_testing.window_ms; }, positive()));
  add(make_key(
    "fraud.card_testing.cooldown_ms", cooldown,
    [](auto& c) -> auto& { return c.fraud.card_testing.cooldown_ms; }, at_least(0)));

  add(make_key(
    "fraud.amount_spike.enabled", enabled,
    [](auto& c) -> auto& { return c.fraud.amount_spike.enabled; }));
  add(make_key(
    "fraud.amount_spike.version", version,
    [](auto& c) -> auto& { return c.fraud.amount_spike.version; }, at_least(1)));
  add(make_key(
    "fraud.amount_spike.min_ratio", "Alert at this multiple of the user's baseline amount.",
    [](auto& c) -> auto& { return c.fraud.amount_spike.min_ratio; }, greater_than(1.0)));
  add(make_key(
    "fraud.amount_spike.min_history", "Purchases in the baseline before the rule can fire.",
    [](auto& c) -> auto& { return c.fraud.amount_spike.min_history; }, positive()));
  add(make_key(
    "fraud.amount_spike.alpha", "Weight of the newest purchase in the baseline, in (0, 1].",
    [](auto& c) -> auto& { return c.fraud.amount_spike.alpha; }, fraction()));
  add(make_key(
    "fraud.amount_spike.min_amount_cents", "Purchases below this many USD cents never alert.",
    [](auto& c) -> auto& { return c.fraud.amount_spike.min_amount_cents; }, at_least(0)));
  add(make_key(
    "fraud.amount_spike.baseline_floor_cents",
    "Purchases below this many USD cents stay out of the baseline.",
    [](auto& c) -> auto& { return c.fraud.amount_spike.baseline_floor_cents; }, at_least(0)));
  add(make_key(
    "fraud.amount_spike.cooldown_ms", cooldown,
    [](auto& c) -> auto& { return c.fraud.amount_spike.cooldown_ms; }, at_least(0)));

  add(make_key(
    "fraud.impossible_travel.enabled", enabled,
    [](auto& c) -> auto& { return c.fraud.impossible_travel.enabled; }));
  add(make_key(
    "fraud.impossible_travel.version", version,
    [](auto& c) -> auto& { return c.fraud.impossible_travel.version; }, at_least(1)));
  add(make_key(
    "fraud.impossible_travel.max_speed_kmh", "Alert when two card payments imply a faster journey.",
    [](auto& c) -> auto& { return c.fraud.impossible_travel.max_speed_kmh; }, positive()));
  add(make_key(
    "fraud.impossible_travel.min_distance_km", "Ignore payments closer together than this.",
    [](auto& c) -> auto& { return c.fraud.impossible_travel.min_distance_km; }, positive()));
  add(make_key(
    "fraud.impossible_travel.lookback_ms", "Ignore payments further apart in event time than this.",
    [](auto& c) -> auto& { return c.fraud.impossible_travel.lookback_ms; }, positive()));
  add(make_key(
    "fraud.impossible_travel.cooldown_ms", cooldown,
    [](auto& c) -> auto& { return c.fraud.impossible_travel.cooldown_ms; }, at_least(0)));

  add(make_key(
    "fraud.international_high.enabled", enabled,
    [](auto& c) -> auto& { return c.fraud.international_high.enabled; }));
  add(make_key(
    "fraud.international_high.version", version,
    [](auto& c) -> auto& { return c.fraud.international_high.version; }, at_least(1)));
  add(make_key(
    "fraud.international_high.min_amount_cents",
    "Alert on international purchases of at least this many USD cents.",
    [](auto& c) -> auto& { return c.fraud.international_high.min_amount_cents; }, positive()));
  add(make_key(
    "fraud.international_high.cooldown_ms", cooldown,
    [](auto& c) -> auto& { return c.fraud.international_high.cooldown_ms; }, at_least(0)));

  add(make_key(
    "fraud.refund_abuse.enabled", enabled,
    [](auto& c) -> auto& { return c.fraud.refund_abuse.enabled; }));
  add(make_key(
    "fraud.refund_abuse.version", version,
    [](auto& c) -> auto& { return c.fraud.refund_abuse.version; }, at_least(1)));
  add(make_key(
    "fraud.refund_abuse.min_refunds", "Alert at this many refunds within window_ms.",
    [](auto& c) -> auto& { return c.fraud.refund_abuse.min_refunds; }, positive()));
  add(make_key(
    "fraud.refund_abuse.window_ms", "Sliding window over which refunds are counted.",
    [](auto& c) -> auto& { return c.fraud.refund_abuse.window_ms; }, positive()));
  add(make_key(
    "fraud.refund_abuse.cooldown_ms", cooldown,
    [](auto& c) -> auto& { return c.fraud.refund_abuse.cooldown_ms; }, at_least(0)));

  add(make_key(
    "pipeline.memory_budget_mb",
    "MiB the node sizes its buffers to (prefetch, batches in flight, output, "
    "pool); 0: no budget.",
    [](auto& c) -> auto& { return c.pipeline.memory_budget_mb; }, zero_or(between(64, 1'048'576))));
  add(make_key(
    "pipeline.max_in_flight_batches",
    "Batches per partition queued in the pipeline before the partition is held "
    "back; 0: from the memory budget.",
    [](auto& c) -> auto& { return c.pipeline.max_in_flight_batches; }, at_least(0)));
  add(make_key(
    "pipeline.max_batch_records", "Most records per raw batch.",
    [](auto& c) -> auto& { return c.pipeline.max_batch_records; }, at_least(1)));
  add(make_key(
    "pipeline.batch_linger_ms",
    "Longest wait of records for a bigger batch while the partition's pipeline is busy.",
    [](auto& c) -> auto& { return c.pipeline.batch_linger_ms; }, at_least(0)));
  add(make_key(
    "pipeline.tick_interval_ms",
    "How often aggregators emit held totals, and at most how often a partition "
    "tells shards without its records its progress (wall clock).",
    [](auto& c) -> auto& { return c.pipeline.tick_interval_ms; }, positive()));
  add(make_key(
    "pipeline.commit_interval_ms", "How often the ingress commits offsets.",
    [](auto& c) -> auto& { return c.pipeline.commit_interval_ms; }, positive()));
  add(make_key(
    "pipeline.max_future_ms",
    "Events more than this far ahead of their record's Kafka timestamp are "
    "dead-lettered as future_time (0: never).",
    [](auto& c) -> auto& { return c.pipeline.max_future_ms; }, at_least(0)));
  add(make_key(
    "pipeline.alert_batching_age_ms",
    "Anomalies detected at least this long after their event (a catch-up, a replay) "
    "may wait to share a produce request.",
    [](auto& c) -> auto& { return c.pipeline.alert_batching_age_ms; }, at_least(0)));
  add(make_key(
    "pipeline.alert_batching_delay_ms",
    "Longest such wait in the alert sink; 0 sends every anomaly at once.",
    [](auto& c) -> auto& { return c.pipeline.alert_batching_delay_ms; }, at_least(0)));

  add(make_key(
    "metrics.bind", "Address of /metrics, /healthz and /readyz.",
    [](auto& c) -> auto& { return c.metrics.bind; }, non_empty()));
  add(make_key(
    "metrics.port", "TCP port of the metrics endpoint.",
    [](auto& c) -> auto& { return c.metrics.port; }, between(0, 65535)));

  add(make_key(
    "log.level", "One of trace, debug, info, warn, error.",
    [](auto& c) -> auto& { return c.log.level; },
    one_of({"trace", "debug", "info", "warn", "error"})));
  add(make_key(
    "log.format", "json (ECS lines) or text.", [](auto& c) -> auto& { return c.log.format; },
    one_of({"json", "text"})));

  add(make_key(
    "supervision.max_restarts",
    "Restarts allowed within restart_window_ms before the node exits non-zero.",
    [](auto& c) -> auto& { return c.supervision.max_restarts; }, positive()));
  add(make_key(
    "supervision.restart_window_ms", "Window in which restarts are counted.",
    [](auto& c) -> auto& { return c.supervision.restart_window_ms; }, positive()));
  add(make_key(
    "supervision.backoff_initial_ms", "First delay of the exponential backoff.",
    [](auto& c) -> auto& { return c.supervision.backoff_initial_ms; }, positive()));
  add(make_key(
    "supervision.backoff_max_ms", "Longest delay of the exponential backoff.",
    [](auto& c) -> auto& { return c.supervision.backoff_max_ms; }, positive()));
  return k;
}

const std::vector<key_entry>& keys() {
  static const std::vector<key_entry> table = build_keys();
  return table;
}

/// One-line comments above the table headers of describe().
const std::map<std::string, std::string>& table_docs() {
  static const std::map<std::string, std::string> docs{
    {"node", "This process."},
    {"kafka", "How the node reaches Kafka."},
    {"topics.transactions", "Topics as txstream creates them (topic-level configs are fixed)."},
    {"aggregation", "Merchant aggregators (docs/windows-and-watermarks.md)."},
    {"fraud", "Fraud detector memory bounds. Money is in USD cents, times in event-time ms."},
    {"fraud.high_frequency", "Rule: too many transactions of one user in a window."},
    {"fraud.card_testing", "Rule: many small probing purchases in a window."},
    {"fraud.amount_spike", "Rule: a domestic purchase far above the user's baseline."},
    {"fraud.impossible_travel", "Rule: two card payments too far apart for the time between."},
    {"fraud.international_high", "Rule: a large international purchase."},
    {"fraud.refund_abuse", "Rule: many refunds in a window."},
    {"cluster", "Membership in a cluster of nodes (docs/cluster.md); no listen: one node."},
    {"cluster.tls", "Mutual TLS between nodes: all three files or none."},
    {"pipeline", "Record pipeline limits and timers."},
    {"metrics", "Prometheus endpoint."},
    {"log", "Logging."},
    {"supervision", "Restart policy of the node's actors."},
  };
  return docs;
}

const key_entry* find_key(std::string_view name) {
  for (const auto& e : keys())
    if (e.name == name)
      return &e;
  return nullptr;
}

bool is_table(std::string_view name) {
  for (const auto& e : keys())
    if (e.name.size() > name.size() && e.name.compare(0, name.size(), name) == 0
        && e.name[name.size()] == '.')
      return true;
  return false;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
      diag = up;
    }
  }
  return row[b.size()];
}

/// " (did you mean 'x'?)" for a near miss of a known key, else "".
std::string suggestion(std::string_view name) {
  for (const auto& e : keys())
    if (edit_distance(name, e.name) <= 2)
      return "; did you mean '" + e.name + "'?";
  return {};
}

const char* kind_name(value_kind kind) {
  switch (kind) {
    case value_kind::string: return "a string";
    case value_kind::boolean: return "a boolean";
    case value_kind::integer: return "an integer";
    case value_kind::floating: return "a number";
  }
  return "?";
}

const char* toml_type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::none: return "nothing";
    case toml::node_type::table: return "table";
    case toml::node_type::array: return "array";
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "float";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::date: return "date";
    case toml::node_type::time: return "time";
    case toml::node_type::date_time: return "date-time";
  }
  return "?";
}

std::string value_error(const std::string& key, const value& v, const std::string& source,
                        const std::string& text) {
  auto where = source.empty() ? std::string{} : " (" + source + ")";
  return "config error: " + key + " = " + render(v) + where + ": " + text;
}

void store(const key_entry& e, node_config& cfg, const value& v, const std::string& source,
           config_sources& sources) {
  if (auto err = e.set(cfg, v))
    throw config_error(value_error(e.name, v, source, *err));
  sources[e.name] = source;
}

// -- sources ------------------------------------------------------------------

std::optional<value> from_toml(const toml::node& n, value_kind kind) {
  switch (kind) {
    case value_kind::string:
      if (auto* s = n.as_string())
        return value{std::in_place_type<std::string>, s->get()};
      break;
    case value_kind::boolean:
      if (auto* b = n.as_boolean())
        return value{std::in_place_type<bool>, b->get()};
      break;
    case value_kind::integer:
      if (auto* i = n.as_integer())
        return value{std::in_place_type<std::int64_t>, i->get()};
      break;
    case value_kind::floating:
      if (auto* f = n.as_floating_point())
        return value{std::in_place_type<double>, f->get()};
      if (auto* i = n.as_integer())  // `min_ratio = 20` means 20.0
        return value{std::in_place_type<double>, static_cast<double>(i->get())};
      break;
  }
  return std::nullopt;
}

// -- [kafka.client]: librdkafka properties, passed through -------------------

constexpr std::string_view client_table = "kafka.client";
constexpr std::string_view client_env_prefix = "TXSTREAM_KAFKA_CLIENT_";

/// Throws config_error if txstream sets librdkafka property `property`
/// itself; `source` (may be empty) says where the value came from.
void check_not_reserved(const std::string& property, const std::string& source) {
  if (const char* why = reserved_client_property(property))
    throw config_error("config error: " + std::string(client_table) + "." + property
                       + (source.empty() ? "" : " (" + source + ")") + ": txstream sets " + property
                       + " itself: " + why);
}

/// Stores librdkafka property `property` unless txstream sets it itself.
void store_client_property(const std::string& property, std::string text, const std::string& source,
                           node_config& cfg, config_sources& sources) {
  check_not_reserved(property, source);
  cfg.kafka.client[property] = std::move(text);
  sources[std::string(client_table) + "." + property] = source;
}

/// The table's entries as librdkafka properties: `"security.protocol" = ..`
/// and the dotted key `security.protocol = ..` (a nested table to TOML) name
/// the same one. Values are passed as librdkafka's text.
void apply_client_table(const toml::table& table, const std::string& prefix,
                        const std::string& source, node_config& cfg, config_sources& sources) {
  for (auto&& [key, node] : table) {
    auto property = prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    if (auto* sub = node.as_table()) {
      apply_client_table(*sub, property, source, cfg, sources);
      continue;
    }
    std::string text;
    if (auto* s = node.as_string())
      text = s->get();
    else if (auto* b = node.as_boolean())
      text = b->get() ? "true" : "false";
    else if (auto* i = node.as_integer())
      text = std::to_string(i->get());
    else if (auto* f = node.as_floating_point())
      text = format_double(f->get());
    else
      throw config_error("config error: " + std::string(client_table) + "." + property + " ("
                         + source + "): expected a string, number or boolean, got "
                         + toml_type_name(node));
    store_client_property(property, std::move(text), source, cfg, sources);
  }
}

/// TXSTREAM_KAFKA_CLIENT_SASL_MECHANISMS -> "sasl.mechanisms" (librdkafka's
/// property names are lower case with dots, without underscores).
std::string client_property_of_env(std::string_view var) {
  std::string property;
  for (char c : var.substr(client_env_prefix.size()))
    property += c == '_' ? '.' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return property;
}

bool is_client_env_var(std::string_view var) {
  return var.size() > client_env_prefix.size()
         && var.compare(0, client_env_prefix.size(), client_env_prefix) == 0;
}

void apply_table(const toml::table& table, const std::string& prefix, const std::string& source,
                 node_config& cfg, config_sources& sources) {
  for (auto&& [key, node] : table) {
    auto name = prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    auto line = " (line " + std::to_string(node.source().begin.line) + ")";
    if (name == client_table) {
      auto* sub = node.as_table();
      if (!sub)
        throw config_error("config error: " + name + " (" + source + "): expected a table, got "
                           + toml_type_name(node));
      apply_client_table(*sub, "", source, cfg, sources);
    } else if (const key_entry* e = find_key(name)) {
      auto v = from_toml(node, e->kind);
      if (!v)
        throw config_error("config error: " + name + " (" + source + "): expected "
                           + kind_name(e->kind) + ", got " + toml_type_name(node));
      store(*e, cfg, *v, source, sources);
    } else if (is_table(name)) {
      auto* sub = node.as_table();
      if (!sub)
        throw config_error("config error: " + name + " (" + source + "): expected a table, got "
                           + toml_type_name(node));
      apply_table(*sub, name, source, cfg, sources);
    } else if (node.is_table()) {
      throw config_error("config error: unknown table '[" + name + "]' in " + source + line
                         + suggestion(name));
    } else {
      throw config_error("config error: unknown key '" + name + "' in " + source + line
                         + suggestion(name));
    }
  }
}

void apply_toml(std::string_view text, const std::string& source, node_config& cfg,
                config_sources& sources) {
  toml::table table;
  try {
    table = toml::parse(text, source);
  } catch (const toml::parse_error& err) {
    const auto& at = err.source().begin;
    throw config_error("config error: " + source + ":" + std::to_string(at.line) + ":"
                       + std::to_string(at.column) + ": " + std::string(err.description()));
  }
  apply_table(table, "", source, cfg, sources);
}

std::optional<value> from_env(const std::string& text, value_kind kind) {
  const char* first = text.data();
  const char* last = first + text.size();
  switch (kind) {
    case value_kind::string: return value{std::in_place_type<std::string>, text};
    case value_kind::boolean:
      if (text == "true" || text == "1")
        return value{std::in_place_type<bool>, true};
      if (text == "false" || text == "0")
        return value{std::in_place_type<bool>, false};
      break;
    case value_kind::integer: {
      std::int64_t i = 0;
      auto res = std::from_chars(first, last, i);
      if (!text.empty() && res.ec == std::errc{} && res.ptr == last)
        return value{std::in_place_type<std::int64_t>, i};
      break;
    }
    case value_kind::floating: {
      double d = 0;
      auto res = std::from_chars(first, last, d);
      if (!text.empty() && res.ec == std::errc{} && res.ptr == last)
        return value{std::in_place_type<double>, d};
      break;
    }
  }
  return std::nullopt;
}

void apply_client_env(const env_map& env, node_config& cfg, config_sources& sources) {
  for (const auto& [var, text] : env)
    if (is_client_env_var(var))
      store_client_property(client_property_of_env(var), text, "env " + var, cfg, sources);
}

void apply_env(const env_map& env, node_config& cfg, config_sources& sources) {
  for (const auto& e : keys()) {
    auto var = env_var_name(e.name);
    auto it = env.find(var);
    if (it == env.end())
      continue;
    auto v = from_env(it->second, e.kind);
    if (!v)
      throw config_error(
        "config error: env " + var + "=" + it->second + ": expected "
        + (e.kind == value_kind::boolean ? std::string("true or false") : kind_name(e.kind)));
    store(e, cfg, *v, "env " + var, sources);
  }
  apply_client_env(env, cfg, sources);
}

void validate_with(const node_config& cfg, const config_sources* sources) {
  auto source_of = [sources](const std::string& key) {
    if (!sources)
      return std::string{};
    auto it = sources->find(key);
    return it == sources->end() ? std::string{} : it->second;
  };
  for (const auto& e : keys()) {
    if (!e.check)
      continue;
    auto v = e.get(cfg);
    if (auto err = e.check(v))
      throw config_error(value_error(e.name, v, source_of(e.name), *err));
  }
  for (const auto& [property, text] : cfg.kafka.client)
    check_not_reserved(property, source_of(std::string(client_table) + "." + property));
  const auto& sup = cfg.supervision;
  if (sup.backoff_initial_ms > sup.backoff_max_ms)
    throw config_error(value_error("supervision.backoff_initial_ms",
                                   value{std::in_place_type<std::int64_t>, sup.backoff_initial_ms},
                                   source_of("supervision.backoff_initial_ms"),
                                   "must be <= supervision.backoff_max_ms ("
                                     + std::to_string(sup.backoff_max_ms) + ")"));
  const auto& cl = cfg.cluster;
  if (cl.heartbeat_ms >= cl.node_timeout_ms)
    throw config_error(value_error(
      "cluster.node_timeout_ms", value{std::in_place_type<std::int64_t>, cl.node_timeout_ms},
      source_of("cluster.node_timeout_ms"),
      "must be > cluster.heartbeat_ms (" + std::to_string(cl.heartbeat_ms) + ")"));
  const int tls_set = !cl.tls_ca.empty() + !cl.tls_certificate.empty() + !cl.tls_key.empty();
  if (tls_set != 0 && tls_set != 3) {
    const char* missing = cl.tls_ca.empty()            ? "cluster.tls.ca"
                          : cl.tls_certificate.empty() ? "cluster.tls.certificate"
                                                       : "cluster.tls.key";
    throw config_error(std::string{"config error: "} + missing
                       + " is missing: mutual TLS needs cluster.tls.ca, "
                         "cluster.tls.certificate and cluster.tls.key together");
  }
  // The per-key rules above are at least as strict as the aggregators' own check.
  assert(valid(cfg.aggregation));
}

node_config load(const std::string* toml_text, const std::string& source, const env_map& env,
                 config_sources* sources_out) {
  node_config cfg;
  config_sources sources;
  for (const auto& e : keys())
    sources[e.name] = "default";
  if (toml_text)
    apply_toml(*toml_text, source, cfg, sources);
  apply_env(env, cfg, sources);
  validate_with(cfg, &sources);
  if (sources_out)
    *sources_out = std::move(sources);
  return cfg;
}

}  // namespace

node_config load_node_config(const std::string* toml_path, const env_map& env,
                             config_sources* sources) {
  if (!toml_path)
    return load(nullptr, {}, env, sources);
  std::ifstream in(*toml_path, std::ios::binary);
  std::ostringstream text;
  if (!in || !(text << in.rdbuf()))
    throw config_error("config error: cannot read " + *toml_path);
  auto contents = text.str();
  return load(&contents, *toml_path, env, sources);
}

node_config load_node_config_from_string(std::string_view toml_text, std::string_view source_name,
                                         const env_map& env, config_sources* sources) {
  std::string text(toml_text);
  return load(&text, std::string(source_name), env, sources);
}

void validate(const node_config& cfg) {
  validate_with(cfg, nullptr);
}

namespace {

/// [kafka.client] as describe() writes it: below [kafka], empty by default.
std::string describe_client_table(const node_config& cfg) {
  std::string out =
    "\n# librdkafka properties for every Kafka client of txstream, by their librdkafka\n"
    "# names, e.g. \"security.protocol\" = \"SASL_SSL\"; TXSTREAM_KAFKA_CLIENT_<NAME> with\n"
    "# dots as underscores. Properties txstream sets itself are refused.\n"
    "["
    + std::string(client_table) + "]\n";
  for (const auto& [property, text] : cfg.kafka.client)
    out += quote(property) + " = " + quote(text) + "\n";
  return out;
}

}  // namespace

std::string describe(const node_config& cfg) {
  std::string out =
    "# txstream node configuration (docs/configuration.md).\n"
    "# Precedence: defaults < this file < TXSTREAM_<TABLE>_<KEY> environment\n"
    "# variables < command-line flags. Every key is optional; unknown keys are errors.\n";
  std::string table;
  for (const auto& e : keys()) {
    auto dot = e.name.rfind('.');
    auto entry_table = e.name.substr(0, dot);
    if (entry_table != table) {
      if (table == "kafka")
        out += describe_client_table(cfg);
      table = entry_table;
      out += "\n";
      if (auto it = table_docs().find(table); it != table_docs().end())
        out += "# " + it->second + "\n";
      out += "[" + table + "]\n";
    }
    out += "# " + e.doc + "\n" + e.name.substr(dot + 1) + " = " + render(e.get(cfg)) + "\n";
  }
  return out;
}

std::string describe_defaults() {
  return describe(node_config{});
}

std::vector<std::string> config_keys() {
  std::vector<std::string> names;
  for (const auto& e : keys())
    names.push_back(e.name);
  return names;
}

std::string env_var_name(std::string_view key) {
  std::string name = "TXSTREAM_";
  for (char c : key)
    name += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

std::vector<std::string> unknown_env_vars(const env_map& env) {
  std::vector<std::string> unknown;
  for (const auto& [name, text] : env) {
    if (name.rfind("TXSTREAM_", 0) != 0 || is_client_env_var(name))
      continue;
    bool known = false;
    for (const auto& e : keys())
      known = known || env_var_name(e.name) == name;
    if (!known)
      unknown.push_back(name);
  }
  return unknown;
}

env_map txstream_environment() {
  env_map env;
  for (char** var = environ; var && *var; ++var) {
    std::string_view entry(*var);
    auto eq = entry.find('=');
    if (eq != std::string_view::npos && entry.rfind("TXSTREAM_", 0) == 0)
      env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

}  // namespace txstream
