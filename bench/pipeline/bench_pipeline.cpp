// The node's own work per record, without its threads, actors or Kafka
// clients: the records of an input topic are read into memory first, then go
// batch by batch, on one thread, through the state classes the node's actors
// run (the ingress's copy into a raw batch, partition_consumer_state::route,
// fraud_detector_state, merchant_aggregator_state, the JSON encoding of
// every output record and the acks that move the commit point).
//   bench_pipeline --topic T [--bootstrap B] [--count N] [--rounds R]
// Time is the thread's CPU time (page faults included, waiting for a CPU
// not), per stage. The node's CPU per record minus this and minus the raw
// consumer's (which pays the fetching the node pays) is what its threads,
// actors and outputs to Kafka add. Prints one line per round, then
//   pipeline records=<N> copy_ns=.. route_ns=.. detect_ns=.. aggregate_ns=..
//   bookkeeping_ns=.. total_ns=.. one_core_rate=<msgs/s>   (medians)
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "actors/fraud_detector_state.hpp"
#include "actors/kafka/topic_reader.hpp"
#include "actors/merchant_aggregator_state.hpp"
#include "actors/partition_consumer_state.hpp"
#include "actors/raw_batch_pool.hpp"
#include "bench/bench_measure.hpp"
#include "config/node_config.hpp"
#include "messages/output_records.hpp"

using namespace txstream;
using bench::median;
using bench::thread_cpu_ns;

namespace {

struct options {
  std::string bootstrap = "127.0.0.1:9092";
  std::string topic;
  std::uint64_t count = 0;  // 0: the whole topic
  int rounds = 3;
};

[[noreturn]] void usage() {
  std::fprintf(stderr, "usage: bench_pipeline --topic T [--bootstrap B] [--count N] "
                       "[--rounds R]\n");
  std::exit(2);
}

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--topic") == 0)
      o.topic = argv[i + 1];
    else if (std::strcmp(argv[i], "--bootstrap") == 0)
      o.bootstrap = argv[i + 1];
    else if (std::strcmp(argv[i], "--count") == 0)
      o.count = std::strtoull(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--rounds") == 0)
      o.rounds = std::atoi(argv[i + 1]);
    else
      usage();
  }
  if (o.topic.empty() || o.rounds < 1 || argc % 2 == 0)
    usage();
  return o;
}

/// One partition's records as read, back to back like a fetched batch.
struct stored_partition {
  std::int64_t low = 0;
  std::int64_t high = 0;
  raw_batch all;
};

std::map<std::int32_t, stored_partition> load(const options& o) {
  std::map<std::int32_t, stored_partition> parts;
  kafka::topic_reader reader{o.bootstrap};
  std::uint64_t taken = 0;
  auto res = reader.read(o.topic, [&](const kafka::topic_record& r) {
    if (o.count > 0 && taken >= o.count)
      return;
    ++taken;
    auto& sp = parts[r.partition];
    sp.all.partition = r.partition;
    sp.all.add(r.offset, r.key, r.value, r.timestamp_ms);
  });
  if (!res.complete()) {
    std::fprintf(stderr, "bench_pipeline: cannot read %s: %s\n", o.topic.c_str(),
                 res.error.c_str());
    std::exit(1);
  }
  for (const auto& e : res.partitions)
    if (auto it = parts.find(e.partition); it != parts.end()) {
      it->second.low = e.low;
      it->second.high = e.high;
    }
  return parts;
}

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// CPU nanoseconds per stage over a round, and what the round produced.
struct round_result {
  std::int64_t copy = 0;
  std::int64_t route = 0;
  std::int64_t detect = 0;
  std::int64_t aggregate = 0;
  std::int64_t bookkeeping = 0;
  std::uint64_t records = 0;
  std::uint64_t anomalies = 0;
  std::uint64_t aggregates = 0;  // windows and totals
  std::uint64_t dead = 0;

  std::int64_t total() const {
    return copy + route + detect + aggregate + bookkeeping;
  }
};

/// Adds the time since `since` to `into`, restarts the clock.
struct stage_clock {
  std::int64_t since = thread_cpu_ns();
  void lap(std::int64_t& into) {
    const auto now = thread_cpu_ns();
    into += now - since;
    since = now;
  }
};

/// Windows and totals encoded into a fresh output batch, as the aggregator
/// actor's emit() makes it for the sink.
std::size_t encode_aggregates(const aggregator_output& out) {
  output_batch batch;
  append_aggregates(out.windows, out.totals, batch);
  return batch.records.size();
}

std::size_t encode_dead_letters(std::vector<dead_letter>& dead) {
  output_batch batch;
  for (auto& d : dead)
    append_dead_letter(std::move(d), batch);
  return batch.records.size();
}

/// The detector's part of one routed batch, anomalies encoded for the sink.
/// The batch dies here, as its message does in the node. Returns the
/// anomalies found.
std::size_t detect(routed_batch& routed, fraud_detector_state& detector,
                   std::vector<anomaly>& found) {
  found.clear();
  {
    const auto valid = std::move(routed.valid);
    detector.process_batch(valid.transactions, wall_ms(), found);
  }
  output_batch alerts;
  append_anomalies(found, alerts);
  return alerts.records.size();
}

/// One state per virtual shard, as the node's hosts keep them.
using aggregators = std::vector<std::unique_ptr<merchant_aggregator_state>>;

/// The hosts' part of one routed batch: every sub-batch aggregated shard by
/// shard (shards of a host without records of it follow the partition's
/// progress) and its outputs encoded, with the answers the hosts would
/// send. The sub-batches die here, as their messages do in the node.
/// Returns the outputs made.
std::size_t aggregate(routed_batch& routed, std::int32_t p, std::uint64_t sequence,
                      const shard_routes& routes, aggregators& aggs, aggregator_output& out,
                      std::vector<shard_processed>& processed, std::vector<shard_ack>& acks) {
  std::size_t made = 0;
  const auto per_host = std::move(routed.per_host);
  for (std::size_t i = 0; i < routed.hosts.size(); ++i) {
    const auto& sub = per_host[i];
    shard_processed pr{p, sequence, routes.epoch, {}};
    shard_ack ack{p, sequence, routes.epoch, {}};
    std::size_t run = 0;
    for (auto shard : shards_of_host(routes, routed.hosts[i])) {
      auto& agg = *aggs[shard];
      out.clear();
      if (run < sub.runs.size() && sub.runs[run].shard == shard) {
        const auto& r = sub.runs[run++];
        const auto* first = sub.records.data() + r.begin;
        agg.add(p, first, r.end - r.begin, sub.max_event_time_ms, wall_ms(), out);
        for (auto k : out.late)
          pr.late_offsets.push_back(first[k].source.offset);
      } else {
        agg.on_progress(p, sub.max_event_time_ms, wall_ms(), out);
      }
      ack.holds.push_back({shard, agg.open_min_offset(p)});
      made += encode_aggregates(out);
    }
    processed.push_back(std::move(pr));
    acks.push_back(std::move(ack));
  }
  return made;
}

round_result run_round(const std::map<std::int32_t, stored_partition>& input,
                       const node_config& cfg, const std::string& topic) {
  round_result res;
  const auto batch_records = cfg.pipeline.max_batch_records;
  struct partition_run {
    std::int32_t p;
    const stored_partition* in;
    std::size_t next = 0;  // index of the next record to take
    std::unique_ptr<partition_consumer_state> consumer;
    std::unique_ptr<fraud_detector_state> detector;
    routed_batch routed;
  };
  std::vector<partition_run> runs;
  aggregators aggs;
  raw_batch_pool pool;  // the node's recycling of the ingress's buffers
  const auto routes = local_routes(cfg.aggregation);
  for (std::uint32_t s = 0; s < routes.shards(); ++s)
    aggs.push_back(std::make_unique<merchant_aggregator_state>(cfg.aggregation));
  for (const auto& [p, sp] : input) {
    partition_resume_point resume;
    resume.offset = sp.low;
    partition_run r{p,
                    &sp,
                    0,
                    std::make_unique<partition_consumer_state>(p, topic, cfg.aggregation, routes,
                                                               resume, cfg.pipeline.max_future_ms),
                    std::make_unique<fraud_detector_state>(cfg.fraud),
                    {}};
    r.consumer->recycle_into(&pool);
    for (auto& agg : aggs) {
      partition_checkpoint cp;
      cp.resume_offset = sp.low;
      cp.last_offset = sp.high - 1;
      agg->restore_partition(p, cp, wall_ms());
      agg->assign_partition(p, wall_ms());
    }
    runs.push_back(std::move(r));
  }
  std::vector<anomaly> found;
  aggregator_output out;
  stage_clock clock;
  // Partitions take turns, a batch each, as the ingress hands them over.
  for (bool more = true; more;) {
    more = false;
    for (auto& run : runs) {
      const auto& all = run.in->all;
      if (run.next >= all.records.size())
        continue;
      more = true;
      auto raw = pool.take();
      raw.partition = run.p;
      const auto end = std::min(all.records.size(), run.next + batch_records);
      for (; run.next < end; ++run.next) {
        const auto& r = all.records[run.next];
        raw.add(r.offset, all.key(r), all.value(r), r.timestamp_ms);
      }
      res.records += raw.records.size();
      clock.lap(res.copy);

      const auto sequence = run.consumer->next_sequence();
      run.consumer->route(std::move(raw), true, run.routed);
      res.dead += encode_dead_letters(run.routed.dead);
      clock.lap(res.route);

      res.anomalies += detect(run.routed, *run.detector, found);
      clock.lap(res.detect);

      std::vector<shard_processed> processed;
      std::vector<shard_ack> acks;
      res.aggregates += aggregate(run.routed, run.p, sequence, routes, aggs, out, processed, acks);
      clock.lap(res.aggregate);

      // Everything delivered at once: the acks the actors would send.
      run.consumer->on_detector_processed(sequence);
      run.consumer->on_detector_ack(sequence);
      for (const auto& pr : processed) {
        auto late = run.consumer->on_shard_processed(pr);
        res.dead += encode_dead_letters(late);
      }
      for (const auto& ack : acks)
        run.consumer->on_shard_ack(ack);
      shard_progress progress{run.p, routes.epoch, {}};
      for (std::uint32_t s = 0; s < aggs.size(); ++s)
        progress.holds.push_back({s, aggs[s]->open_min_offset(run.p)});
      run.consumer->on_shard_progress(progress);
      (void)encode_commit_metadata(run.consumer->commit_point());
      clock.lap(res.bookkeeping);
    }
  }
  // The end of a drain: every partition ends, every window closes.
  for (auto& agg : aggs) {
    for (const auto& run : runs) {
      out.clear();
      agg->finish_partition(run.p, out);
      res.aggregates += encode_aggregates(out);
    }
    out.clear();
    agg->flush_all(out);
    res.aggregates += encode_aggregates(out);
  }
  clock.lap(res.aggregate);
  return res;
}

}  // namespace

int main(int argc, char** argv) {
  const auto o = parse(argc, argv);
  const auto input = load(o);
  std::uint64_t n = 0;
  for (const auto& [p, sp] : input)
    n += sp.all.records.size();
  if (n == 0) {
    std::fprintf(stderr, "bench_pipeline: %s has no records\n", o.topic.c_str());
    return 1;
  }
  const node_config cfg;  // the node's defaults
  std::vector<double> copy, route, detect, aggregate, bookkeeping, total;
  auto per = [n](std::int64_t ns) { return static_cast<double>(ns) / static_cast<double>(n); };
  for (int r = 1; r <= o.rounds; ++r) {
    const auto res = run_round(input, cfg, o.topic);
    copy.push_back(per(res.copy));
    route.push_back(per(res.route));
    detect.push_back(per(res.detect));
    aggregate.push_back(per(res.aggregate));
    bookkeeping.push_back(per(res.bookkeeping));
    total.push_back(per(res.total()));
    std::printf("round %d copy_ns=%.0f route_ns=%.0f detect_ns=%.0f aggregate_ns=%.0f "
                "bookkeeping_ns=%.0f total_ns=%.0f anomalies=%llu aggregates=%llu "
                "dead=%llu\n",
                r, copy.back(), route.back(), detect.back(), aggregate.back(), bookkeeping.back(),
                total.back(), static_cast<unsigned long long>(res.anomalies),
                static_cast<unsigned long long>(res.aggregates),
                static_cast<unsigned long long>(res.dead));
    std::fflush(stdout);
  }
  const auto t = median(total);
  std::printf("pipeline records=%llu copy_ns=%.0f route_ns=%.0f detect_ns=%.0f "
              "aggregate_ns=%.0f bookkeeping_ns=%.0f total_ns=%.0f one_core_rate=%.0f\n",
              static_cast<unsigned long long>(n), median(copy), median(route), median(detect),
              median(aggregate), median(bookkeeping), t, 1e9 / t);
}
