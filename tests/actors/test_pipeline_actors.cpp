// The pipeline's actors under CAF's deterministic test scheduler: no threads,
// no sleeps, no Kafka. A fake sink answers every output batch at once (or
// holds one topic's batches until the test releases them) and a
// fake ingress records commits, so the tests see exactly what the actors do.
#include <catch2/catch.hpp>

#include <map>
#include <tuple>

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include "actors/generator_state.hpp"
#include "actors/kafka/totals_restore.hpp"
#include "actors/merchant_aggregator_actor.hpp"
#include "actors/partition_consumer_actor.hpp"
#include "actors/shard_router.hpp"
#include "actors/tumbling_window.hpp"
#include "messages/atoms.hpp"
#include "messages/inspect.hpp"
#include "messages/json_encoder.hpp"
#include "messages/message_types.hpp"
#include "messages/output_batch.hpp"

using namespace txstream;

namespace {

using window_key = std::tuple<std::string, std::string, std::int64_t>;

/// What reached "Kafka" through the fake sink and the fake ingress.
struct observed {
  std::vector<std::pair<std::string, output_record>> records;  // topic, record
  std::vector<std::pair<std::string, std::int64_t>> waits;     // topic, may_wait_ms
  std::map<std::int32_t, std::pair<std::int64_t, std::string>> commits;
  bool fail_deliveries = false;
  /// Batches to this topic are not answered until the test delivers them.
  std::string hold_topic;
  std::vector<caf::response_promise> held;
};

caf::behavior fake_sink(caf::event_based_actor* self, observed* seen) {
  return {
    [=](output_batch& b) -> caf::result<delivered_atom> {
      seen->waits.emplace_back(b.topic, b.may_wait_ms);
      for (auto& r : b.records)
        seen->records.emplace_back(b.topic, std::move(r));
      if (b.topic != seen->hold_topic)
        return delivered_atom::value;
      seen->held.push_back(self->make_response_promise());
      return seen->held.back();
    },
    // Delivers the held batches (promises are kept in the sink's context).
    [=](poll_atom) {
      for (auto& rp : seen->held)
        rp.deliver(delivered_atom::value);
      seen->held.clear();
    },
  };
}

caf::behavior fake_ingress(caf::event_based_actor*, observed* seen) {
  return {
    [=](commit_atom, std::int32_t p, std::int64_t offset, std::string& meta) {
      seen->commits[p] = {offset, meta};
    },
  };
}

/// A deterministic stream: generated transactions, JSON-encoded, as Kafka
/// would hold them in partition 0, with a few malformed records mixed in.
std::vector<std::string> make_stream(std::size_t n) {
  generator_config gc;
  gc.seed = 11;
  gc.users = 300;
  gc.merchants = 40;
  gc.fraud_rate = 0;
  generator_state gen{gc};
  std::vector<std::string> out;
  const std::int64_t t0 = 1'700'000'000'000;
  for (std::size_t i = 0; i < n; ++i) {
    if (i % 997 == 500) {
      out.push_back("{\"transactionId\": 42}");
      continue;
    }
    std::string json;
    encode_json(gen.next(t0 + static_cast<std::int64_t>(i) * 100).txn, json);
    out.push_back(std::move(json));
  }
  return out;
}

raw_batch make_batch(const std::vector<std::string>& stream, std::size_t from, std::size_t to) {
  raw_batch b;
  b.partition = 0;
  for (auto i = from; i < to && i < stream.size(); ++i)
    b.add(static_cast<std::int64_t>(i), "key", stream[i]);
  return b;
}

struct fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;
  pipeline_context ctx;
  observed seen;
  std::int64_t now = 1'800'000'000'000;
  /// Partitions of the input: the hosts wait for each one's consumer.
  std::int32_t input_partitions = 1;

  fixture() {
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.verbosity", caf::atom("quiet"));
    add_message_types(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
    ctx.aggregation.shards = 8;
    ctx.aggregation.shard_actors = 4;  // two shards per actor
    ctx.aggregation.window_ms = 60'000;
    ctx.aggregation.allowed_lateness_ms = 5'000;
    ctx.now_ms = [this] { return now; };
    ctx.detectors_on_own_threads = false;
  }

  ~fixture() {
    // The system waits for every actor on shutdown; end them all first.
    for (const auto& a : spawned)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    run();
  }

  std::vector<caf::actor> spawned;
  std::shared_ptr<partition_load> done = std::make_shared<partition_load>();

  /// Spawns sink, shards (seeded with `restored` totals) and the consumer of
  /// partition 0 resuming at `resume`.
  struct pipeline {
    caf::actor sink;
    caf::actor ingress;
    std::vector<caf::actor> shards;
    caf::actor consumer;
  };
  pipeline spawn(partition_resume_point resume, std::int64_t last_offset,
                 const std::vector<running_total>& restored = {}) {
    return spawn_reading_from(resume, last_offset, resume.offset, restored);
  }

  /// spawn(), the consumer reading from `read_from` (the detector's re-read).
  pipeline spawn_reading_from(partition_resume_point resume, std::int64_t last_offset,
                              std::int64_t read_from,
                              const std::vector<running_total>& restored = {}) {
    pipeline p;
    p.sink = sys->spawn(fake_sink, &seen);
    p.ingress = sys->spawn(fake_ingress, &seen);
    const auto routes = local_routes(ctx.aggregation);
    std::vector<std::vector<hosted_shard>> per_host(routes.hosts);
    for (std::uint32_t s = 0; s < routes.shards(); ++s) {
      hosted_shard h;
      h.shard = s;
      for (const auto& t : restored)
        if (shard_of(t.merchant_id, routes.shards()) == s)
          h.totals.push_back(t);
      per_host[routes.host_of[s]].push_back(std::move(h));
    }
    for (std::uint32_t h = 0; h < routes.hosts; ++h)
      p.shards.push_back(sys->spawn(merchant_aggregator_actor, h, p.sink, &ctx, per_host[h],
                                    routes.epoch, input_partitions));
    // The consumer registers itself with every host.
    p.consumer = sys->spawn(
      partition_consumer_actor, 0,
      partition_restore{resume.offset, resume.max_event_time_ms, last_offset, read_from}, routes,
      p.shards, p.sink, p.sink, p.ingress, done, &ctx);
    spawned.insert(spawned.end(), {p.sink, p.ingress, p.consumer});
    spawned.insert(spawned.end(), p.shards.begin(), p.shards.end());
    run();
    return p;
  }

  /// Runs every pending message (timers stay pending: ticks are periodic).
  void run() {
    while (sched->try_run_once()) {
    }
  }

  /// The input ended: the consumer tells every host, which flushes once
  /// all its partitions ended.
  void flush(const pipeline& p) {
    caf::anon_send(p.consumer, end_atom::value);
    run();
  }

  std::vector<const output_record*> on(const std::string& topic) const {
    std::vector<const output_record*> xs;
    for (const auto& [to, r] : seen.records)
      if (to == topic)
        xs.push_back(&r);
    return xs;
  }
};

/// `count` records of distinct users in one window, 100 ms apart, except
/// that user_hot pays ten times in the first second: high_frequency fires
/// at its eighth payment (event time t0 + 700 ms).
std::vector<std::string> hot_user_stream(std::int64_t t0, int count) {
  std::vector<std::string> stream;
  for (int i = 0; i < count; ++i) {
    transaction t;
    t.transaction_id = "3902d972-401d-4765-b59e-b8a9d251" + std::to_string(1000 + i);
    t.user_id = i < 10 ? "user_hot" : "user_" + std::to_string(i);
    t.merchant_id = "merchant_" + std::to_string(i % 7);
    t.location = "Berlin";
    t.currency = "EUR";
    t.amount_cents = 2500;
    t.event_time_ms = t0 + i * 100;
    std::string json;
    encode_json(t, json);
    stream.push_back(std::move(json));
  }
  return stream;
}

std::int64_t field(const std::string& json, const std::string& key) {
  auto pos = json.find("\"" + key + "\":");
  REQUIRE(pos != std::string::npos);
  return std::stoll(json.substr(pos + key.size() + 3));
}

std::string text_field(const std::string& json, const std::string& key) {
  auto pos = json.find("\"" + key + "\":\"");
  REQUIRE(pos != std::string::npos);
  auto start = pos + key.size() + 4;
  return json.substr(start, json.find('"', start) - start);
}

/// Windows by key with their JSON; fails on a key emitted twice with
/// different values.
std::map<window_key, std::string> windows_of(const fixture& f) {
  std::map<window_key, std::string> out;
  for (const auto* r : f.on(f.ctx.topics.aggregates.name)) {
    if (r->value.find("\"type\":\"window\"") == std::string::npos)
      continue;
    window_key key{text_field(r->value, "merchantId"), text_field(r->value, "currency"),
                   field(r->value, "windowStart")};
    auto [it, fresh] = out.emplace(key, r->value);
    if (!fresh)
      REQUIRE(it->second == r->value);  // re-emitted only with identical values
  }
  return out;
}

/// The windows of `stream` read by one consumer of partition 0, start to
/// end: what a run with a handover must reproduce.
std::map<window_key, std::string> windows_of_one_consumer(const std::vector<std::string>& stream) {
  fixture f;
  auto p = f.spawn({0, no_event_time}, -1);
  for (std::size_t i = 0; i < stream.size(); i += 500)
    caf::anon_send(p.consumer, make_batch(stream, i, std::min(i + 500, stream.size())));
  f.run();
  f.flush(p);
  return windows_of(f);
}

/// The first `n` records of `stream` through `p`'s consumer; where the
/// partition's next consumer resumes (its committed offset).
partition_restore consume_first(fixture& f, const fixture::pipeline& p,
                                const std::vector<std::string>& stream, std::size_t n) {
  for (std::size_t i = 0; i < n; i += 300)
    caf::anon_send(p.consumer, make_batch(stream, i, std::min(i + 300, n)));
  f.run();
  REQUIRE(f.seen.commits.count(0) == 1);
  const auto resume = decode_commit_metadata(f.seen.commits[0].first, f.seen.commits[0].second);
  return {resume.offset, resume.max_event_time_ms, static_cast<std::int64_t>(n) - 1};
}

/// Another consumer of partition 0 (on another node, say), registering
/// with `p`'s hosts as it starts.
caf::actor spawn_consumer(fixture& f, const fixture::pipeline& p, const partition_restore& r) {
  auto c = f.sys->spawn(partition_consumer_actor, 0, r, local_routes(f.ctx.aggregation), p.shards,
                        p.sink, p.sink, p.ingress, f.done, &f.ctx);
  f.spawned.push_back(c);
  return c;
}

/// The records of `stream` from `from` on through `consumer`.
void send_from(const caf::actor& consumer, const std::vector<std::string>& stream,
               std::int64_t from) {
  for (auto i = static_cast<std::size_t>(from); i < stream.size(); i += 500)
    caf::anon_send(consumer, make_batch(stream, i, std::min(i + 500, stream.size())));
}

}  // namespace

TEST_CASE("a partition's records end in windows or the dead-letter topic", "[actors]") {
  fixture f;
  auto stream = make_stream(6000);
  auto p = f.spawn({0, no_event_time}, -1);
  for (std::size_t i = 0; i < stream.size(); i += 500)
    caf::anon_send(p.consumer, make_batch(stream, i, i + 500));
  f.run();
  f.flush(p);
  std::int64_t counted = 0;
  for (const auto& [key, json] : windows_of(f))
    counted += field(json, "transactionCount");
  auto dead = f.on(f.ctx.topics.deadletter.name);
  CHECK(dead.size() == 6);  // i % 997 == 500 for i < 6000
  CHECK(counted + static_cast<std::int64_t>(dead.size()) == 6000);
  for (const auto* d : dead) {
    CHECK(d->headers.size() == 3);
    CHECK(d->value == "{\"transactionId\": 42}");
  }
  // Everything is delivered and no window is open: commit the whole input.
  REQUIRE(f.seen.commits.count(0) == 1);
  CHECK(f.seen.commits[0].first == 6000);
}

TEST_CASE("hosts close no window before every partition of the input has a consumer", "[actors]") {
  // Partition 1 is still held by a group member that died: partition 0's
  // records alone must not close windows, nor its end flush them.
  fixture f;
  f.input_partitions = 2;
  auto stream = make_stream(6000);  // 600 s of event time: ten windows
  auto p = f.spawn({0, no_event_time}, -1);
  for (std::size_t i = 0; i < stream.size(); i += 500)
    caf::anon_send(p.consumer, make_batch(stream, i, i + 500));
  f.run();
  f.flush(p);
  CHECK(windows_of(f).empty());
  CHECK(f.seen.commits[0].first == 0);  // every record still in an open window
  // Partition 1's consumer arrives (empty partition) and its input ends.
  auto other = f.sys->spawn(partition_consumer_actor, 1, partition_restore{0, no_event_time, -1},
                            local_routes(f.ctx.aggregation), p.shards, p.sink, p.sink, p.ingress,
                            f.done, &f.ctx);
  f.spawned.push_back(other);
  f.run();
  caf::anon_send(other, end_atom::value);
  f.run();
  std::int64_t counted = 0;
  for (const auto& [key, json] : windows_of(f))
    counted += field(json, "transactionCount");
  CHECK(counted == 6000 - 6);  // all but the malformed ones
  CHECK(f.seen.commits[0].first == 6000);
}

TEST_CASE("anomalies hold the commit until they are delivered", "[actors]") {
  fixture f;
  f.seen.hold_topic = f.ctx.topics.anomalies.name;
  // 300 records; high_frequency fires in the first batch.
  const auto stream = hot_user_stream(1'700'000'000'000, 300);
  auto p = f.spawn({0, no_event_time}, -1);
  for (std::size_t i = 0; i < stream.size(); i += 100)
    caf::anon_send(p.consumer, make_batch(stream, i, i + 100));
  f.run();
  f.flush(p);  // no window holds the commit back any more
  REQUIRE(f.on(f.ctx.topics.anomalies.name).size() == 1);
  REQUIRE(f.seen.held.size() == 1);
  // The later batches found nothing, but their acks wait for the first's.
  CHECK(f.seen.commits.count(0) == 0);
  caf::anon_send(p.sink, poll_atom::value);
  f.run();
  REQUIRE(f.seen.commits.count(0) == 1);
  CHECK(f.seen.commits[0].first == 300);
}

TEST_CASE("a restarted consumer re-reads its detector's history and reports only what is "
          "new",
          "[actors]") {
  // user_hot pays at offsets 0-9 (100 ms apart): high_frequency fires at
  // offset 7. The first run committed offset 5 (its windows were open).
  const auto stream = hot_user_stream(1'700'000'000'000, 40);
  const partition_resume_point resume{5, 1'700'000'000'400};
  auto anomalies_from = [&](std::int64_t read_from) {
    fixture f;
    auto p = f.spawn_reading_from(resume, 4, read_from);
    caf::anon_send(p.consumer, make_batch(stream, static_cast<std::size_t>(read_from), 40));
    f.run();
    f.flush(p);
    CHECK(f.on(f.ctx.topics.deadletter.name).empty());
    // Windows count the records from the resume offset on, once.
    std::int64_t counted = 0;
    for (const auto& [key, json] : windows_of(f))
      counted += field(json, "transactionCount");
    CHECK(counted == 35);
    REQUIRE(f.seen.commits.count(0) == 1);
    CHECK(f.seen.commits[0].first == 40);
    CHECK(decode_commit_metadata(40, f.seen.commits[0].second).detector_from == read_from);
    std::vector<std::string> out;
    for (const auto* r : f.on(f.ctx.topics.anomalies.name))
      out.push_back(r->value);
    return out;
  };
  const auto rebuilt = anomalies_from(0);
  REQUIRE(rebuilt.size() == 1);
  CHECK(text_field(rebuilt[0], "ruleId") == "high_frequency");
  CHECK(text_field(rebuilt[0], "userId") == "user_hot");
  // Without the re-read, five payments are not enough.
  CHECK(anomalies_from(5).empty());
}

namespace {

/// may_wait_ms of the anomaly batches the detector sent.
std::vector<std::int64_t> anomaly_waits(const fixture& f) {
  std::vector<std::int64_t> out;
  for (const auto& [topic, wait] : f.seen.waits)
    if (topic == f.ctx.topics.anomalies.name)
      out.push_back(wait);
  return out;
}

}  // namespace

TEST_CASE("anomalies of a catch-up may wait in the alert sink, live ones may not", "[actors]") {
  const std::int64_t t0 = 1'700'000'000'000;
  const auto stream = hot_user_stream(t0, 30);
  SECTION("detected 50 ms after the event: sent at once") {
    fixture f;
    f.now = t0 + 750;
    auto p = f.spawn({0, no_event_time}, -1);
    caf::anon_send(p.consumer, make_batch(stream, 0, stream.size()));
    f.run();
    CHECK(anomaly_waits(f) == std::vector<std::int64_t>{0});
  }
  SECTION("detected an hour after the event: may wait") {
    fixture f;
    f.now = t0 + 3'600'000;
    auto p = f.spawn({0, no_event_time}, -1);
    caf::anon_send(p.consumer, make_batch(stream, 0, stream.size()));
    f.run();
    CHECK(anomaly_waits(f) == std::vector<std::int64_t>{f.ctx.pipeline.alert_batching_delay_ms});
  }
  SECTION("an hour late, but batching is off") {
    fixture f;
    f.now = t0 + 3'600'000;
    f.ctx.pipeline.alert_batching_delay_ms = 0;
    auto p = f.spawn({0, no_event_time}, -1);
    caf::anon_send(p.consumer, make_batch(stream, 0, stream.size()));
    f.run();
    CHECK(anomaly_waits(f) == std::vector<std::int64_t>{0});
  }
  // Windows and dead letters never wait in the sink.
  fixture f;
  auto p = f.spawn({0, no_event_time}, -1);
  caf::anon_send(p.consumer, make_batch(make_stream(3000), 0, 3000));
  f.run();
  f.flush(p);
  REQUIRE_FALSE(f.seen.waits.empty());
  for (const auto& [topic, wait] : f.seen.waits)
    if (topic != f.ctx.topics.anomalies.name)
      CHECK(wait == 0);
}

TEST_CASE("a batch of only bad records is not committed before its dead letters "
          "are delivered",
          "[actors]") {
  fixture f;
  f.seen.hold_topic = f.ctx.topics.deadletter.name;
  auto stream = make_stream(200);
  for (std::size_t i = 100; i < 110; ++i)
    stream[i] = "not json";
  auto p = f.spawn({0, no_event_time}, -1);
  caf::anon_send(p.consumer, make_batch(stream, 0, 100));
  f.run();  // done, so the next batch is the oldest in flight
  caf::anon_send(p.consumer, make_batch(stream, 100, 110));  // no shard gets any
  f.run();
  caf::anon_send(p.consumer, make_batch(stream, 110, 200));
  f.run();
  f.flush(p);
  REQUIRE(f.seen.held.size() == 1);
  REQUIRE(f.seen.commits.count(0) == 1);
  CHECK(f.seen.commits[0].first == 100);
  caf::anon_send(p.sink, poll_atom::value);
  f.run();
  CHECK(f.seen.commits[0].first == 200);
}

TEST_CASE("a partition reports when its batches settled, not when later "
          "messages came",
          "[actors]") {
  // A drained node's busy time ends at the last settling; progress messages
  // of the final flush (no batch in flight before or after) must not move it.
  fixture f;
  auto stream = make_stream(2000);
  auto p = f.spawn({0, no_event_time}, -1);
  CHECK(f.done->settled_at_ns.load() == 0);
  for (std::size_t i = 0; i < stream.size(); i += 500)
    caf::anon_send(p.consumer, make_batch(stream, i, i + 500));
  f.run();
  const auto settled = f.done->settled_at_ns.load();
  CHECK(settled > 0);
  f.flush(p);
  CHECK(!f.on(f.ctx.topics.aggregates.name).empty());
  CHECK(f.done->settled_at_ns.load() == settled);
}

TEST_CASE("offsets are not committed past records in open windows", "[actors]") {
  fixture f;
  auto stream = make_stream(3000);
  auto p = f.spawn({0, no_event_time}, -1);
  for (std::size_t i = 0; i < stream.size(); i += 300)
    caf::anon_send(p.consumer, make_batch(stream, i, i + 300));
  f.run();
  // 3000 records over 300 s of event time: the last windows are still open,
  // so the commit point must stay at or below their first record (rounded
  // down to a batch start, where the partition's max event time is known).
  REQUIRE(f.seen.commits.count(0) == 1);
  auto committed = f.seen.commits[0].first;
  CHECK(committed % 300 == 0);
  CHECK(committed > 0);
  // The first record of the last open window is not below the commit point.
  const std::int64_t t0 = 1'700'000'000'000;
  auto last_start = window_start_of(t0 + 2999 * 100, 60'000);
  CHECK(committed <= (last_start - t0) / 100 + 1);
}

TEST_CASE("an aggregator that fails mid-stream loses nothing after restart", "[actors]") {
  const auto stream = make_stream(8000);
  // Reference run without failure.
  std::map<window_key, std::string> expected;
  {
    fixture f;
    auto p = f.spawn({0, no_event_time}, -1);
    for (std::size_t i = 0; i < stream.size(); i += 400)
      caf::anon_send(p.consumer, make_batch(stream, i, i + 400));
    f.run();
    f.flush(p);
    expected = windows_of(f);
  }
  REQUIRE(expected.size() > 20);

  fixture f;
  auto first = f.spawn({0, no_event_time}, -1);
  for (std::size_t i = 0; i < 4800; i += 400)
    caf::anon_send(first.consumer, make_batch(stream, i, i + 400));
  f.run();
  // A bug in one shard: the actor dies. The supervisor tears the pipeline
  // down and restarts it from the committed offset.
  caf::anon_send(first.shards[1], crash_atom::value);
  f.run();
  for (const auto& shard : first.shards)
    caf::anon_send_exit(shard, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(first.consumer, caf::exit_reason::user_shutdown);
  f.run();
  REQUIRE(f.seen.commits.count(0) == 1);
  auto resume = decode_commit_metadata(f.seen.commits[0].first, f.seen.commits[0].second);
  REQUIRE(resume.offset > 0);
  REQUIRE(resume.offset < 4800);
  // Restore running totals the way a node does: the latest per key.
  std::map<std::pair<std::string, std::string>, running_total> latest;
  for (const auto* r : f.on(f.ctx.topics.aggregates.name)) {
    running_total t;
    if (kafka::parse_running_total(r->value, t))
      latest[{t.merchant_id, t.currency}] = t;
  }
  std::vector<running_total> restored;
  for (auto& [k, t] : latest)
    restored.push_back(t);
  f.now += 1000;
  auto second = f.spawn(resume, 4799, restored);
  for (auto i = static_cast<std::size_t>(resume.offset); i < stream.size(); i += 400)
    caf::anon_send(second.consumer, make_batch(stream, i, i + 400));
  f.run();
  f.flush(second);
  // Same windows with the same values (windows_of rejects different
  // duplicates), nothing missing, nothing extra.
  auto got = windows_of(f);
  CHECK(got.size() == expected.size());
  CHECK(got == expected);
  // Final running totals equal the sum of their windows: no double count.
  std::map<std::pair<std::string, std::string>, std::int64_t> window_counts;
  for (const auto& [key, json] : got)
    window_counts[{std::get<0>(key), std::get<1>(key)}] += field(json, "transactionCount");
  latest.clear();
  for (const auto* r : f.on(f.ctx.topics.aggregates.name)) {
    running_total t;
    if (kafka::parse_running_total(r->value, t))
      latest[{t.merchant_id, t.currency}] = t;
  }
  for (const auto& [key, count] : window_counts)
    CHECK(latest[key].transaction_count == count);
}

namespace {

/// A stream's first half read by one consumer of partition 0; a rebalance
/// gives the partition to another consumer (on another node, say), which
/// starts at the committed offset and registers with the same hosts.
struct handed_over {
  std::vector<std::string> stream = make_stream(6000);
  std::map<window_key, std::string> expected = windows_of_one_consumer(stream);
  fixture f;
  fixture::pipeline p = f.spawn({0, no_event_time}, -1);
  partition_restore restore = consume_first(f, p, stream, 3000);
  caf::actor next = spawn_consumer(f, p, restore);

  handed_over() {
    f.run();
  }

  /// The rest of the stream through the next consumer, then its end.
  void finish() {
    send_from(next, stream, restore.resume_offset);
    f.run();
    caf::anon_send(next, end_atom::value);
    f.run();
  }
};

}  // namespace

TEST_CASE("a partition handed to another consumer counts once - the old one's "
          "late batches are ignored",
          "[actors]") {
  handed_over h;
  // The old consumer has not noticed yet: its batches must not count.
  caf::anon_send(h.p.consumer, make_batch(h.stream, 3000, 3500));
  h.f.run();
  h.finish();
  CHECK(windows_of(h.f) == h.expected);
}

TEST_CASE("a registration overtaken by that of a consumer already gone: the running one "
          "feeds the partition again",
          "[actors]") {
  // The partition's next owner registered with the hosts...
  handed_over h;
  auto& f = h.f;
  // ...then a registration that a node sent for a transient assignment,
  // revoked at once, arrives after it; that consumer is stopped.
  auto transient = spawn_consumer(f, h.p, h.restore);
  f.run();
  caf::anon_send_exit(h.p.consumer, caf::exit_reason::user_shutdown);
  f.run();
  // The next owner's batches, sent before the hosts learn that the
  // transient consumer is gone, wait instead of being dropped.
  send_from(h.next, h.stream, h.restore.resume_offset);
  f.run();
  caf::anon_send_exit(transient, caf::exit_reason::user_shutdown);
  f.run();
  caf::anon_send(h.next, end_atom::value);
  f.run();
  CHECK(windows_of(f) == h.expected);
}
