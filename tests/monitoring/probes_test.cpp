// Probe calls show up in the text exposition with the right names and labels.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "monitoring/actor_probe.hpp"
#include "monitoring/cluster_probe.hpp"
#include "monitoring/generator_probe.hpp"
#include "monitoring/link_probe.hpp"
#include "monitoring/memory_probe.hpp"
#include "monitoring/metrics_registry.hpp"
#include "monitoring/pipeline_probe.hpp"
#include "tests/monitoring/test_promtool.hpp"

using namespace txstream::monitoring;

namespace {

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos
         || text.compare(0, line.size() + 1, line + "\n") == 0;
}

// The value of the sample whose line starts with `series` followed by a space.
double sample(const std::string& text, const std::string& series) {
  auto pos = text.find("\n" + series + " ");
  REQUIRE(pos != std::string::npos);
  return std::stod(text.substr(pos + series.size() + 2));
}

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

TEST_CASE("registry exports up and build_info", "[monitoring]") {
  metrics_registry reg{"1.2.3"};
  auto text = reg.serialize();
  CHECK(has_line(text, "txstream_up 1"));
  CHECK(has_line(text, "txstream_build_info{version=\"1.2.3\"} 1"));
  CHECK(text.find("# TYPE txstream_start_time_seconds gauge") != std::string::npos);
}

TEST_CASE("pipeline probe counters carry their labels", "[monitoring]") {
  metrics_registry reg{"test"};
  pipeline_probe probe{reg};
  probe.consumed(3, 100);
  probe.consumed(3, 20);
  probe.consumed(7, 5);
  probe.decoded(118);
  probe.produced("txstream.windows", 4);
  probe.produce_errors("txstream.windows");
  probe.dead_lettered("malformed_json", 2);
  probe.dead_lettered(std::string{"malformed_json"});
  probe.dead_lettered("invalid_field");
  probe.anomalies("high_amount", 2);
  probe.windows_emitted(4);
  probe.totals_emitted(9);
  probe.late(1);
  probe.shard_records(17, 30);
  probe.shard_records(17, 5);
  probe.consumer_lag(3, 42);
  probe.in_flight_batches(2);
  auto text = reg.serialize();
  CHECK(has_line(text, "txstream_consumed_total{partition=\"3\"} 120"));
  CHECK(has_line(text, "txstream_consumed_total{partition=\"7\"} 5"));
  CHECK(has_line(text, "txstream_decoded_total 118"));
  CHECK(has_line(text, "txstream_produced_total{topic=\"txstream.windows\"} 4"));
  CHECK(has_line(text, "txstream_produce_errors_total{topic=\"txstream.windows\"} 1"));
  CHECK(has_line(text, "txstream_dead_lettered_total{reason=\"malformed_json\"} 3"));
  CHECK(has_line(text, "txstream_dead_lettered_total{reason=\"invalid_field\"} 1"));
  CHECK(has_line(text, "txstream_anomalies_total{rule=\"high_amount\"} 2"));
  CHECK(has_line(text, "txstream_windows_emitted_total 4"));
  CHECK(has_line(text, "txstream_totals_emitted_total 9"));
  CHECK(has_line(text, "txstream_late_total 1"));
  CHECK(has_line(text, "txstream_shard_records_total{shard=\"17\"} 35"));
  CHECK(has_line(text, "txstream_consumer_lag{partition=\"3\"} 42"));
  CHECK(has_line(text, "txstream_in_flight_batches 2"));
  CHECK(text.find("# TYPE txstream_consumed_total counter") != std::string::npos);
  CHECK(text.find("# TYPE txstream_consumer_lag gauge") != std::string::npos);
  SECTION("a revoked partition's lag series disappears") {
    probe.forget_partition(3);
    text = reg.serialize();
    CHECK(text.find("txstream_consumer_lag{partition=\"3\"}") == std::string::npos);
    CHECK(has_line(text, "txstream_consumed_total{partition=\"3\"} 120"));
  }
}

TEST_CASE("latency batches land in the histogram buckets", "[monitoring]") {
  metrics_registry reg{"test"};
  pipeline_probe probe{reg};
  auto batch = probe.make_latency_batch();
  batch.observe_ms(1000, 1004);  // 4 ms
  batch.observe_ms(1000, 1100);  // 100 ms, on a bucket bound (le)
  batch.observe_ms(1000, 900);   // clock skew: counts as 0
  batch.observe(5000.0);         // beyond the last bound
  probe.observe_latencies(batch);
  CHECK(batch.empty());
  probe.observe_latency(0.3);
  auto text = reg.serialize();
  const std::string h = "txstream_event_to_output_latency_seconds";
  CHECK(text.find("# TYPE " + h + " histogram") != std::string::npos);
  CHECK(sample(text, h + "_bucket{le=\"0.005\"}") == 2);
  CHECK(sample(text, h + "_bucket{le=\"0.1\"}") == 3);
  CHECK(sample(text, h + "_bucket{le=\"0.5\"}") == 4);
  CHECK(sample(text, h + "_bucket{le=\"+Inf\"}") == 5);
  CHECK(sample(text, h + "_count") == 5);
  CHECK(sample(text, h + "_sum") == Approx(5000.404));
}

TEST_CASE("watermark lag is the oldest shard's, computed at scrape", "[monitoring]") {
  metrics_registry reg{"test"};
  pipeline_probe probe{reg};
  CHECK(sample(reg.serialize(), "txstream_watermark_lag_seconds") == 0);
  auto now = now_ms();
  probe.watermark(0, now - 2'000);
  probe.watermark(1, now - 30'000);
  auto lag = sample(reg.serialize(), "txstream_watermark_lag_seconds");
  CHECK(lag >= 30.0);
  CHECK(lag < 40.0);
  probe.forget_shard(1);
  lag = sample(reg.serialize(), "txstream_watermark_lag_seconds");
  CHECK(lag >= 2.0);
  CHECK(lag < 12.0);
}

TEST_CASE("actor probes are labelled by actor type", "[monitoring]") {
  metrics_registry reg{"test"};
  actor_metrics actors{reg};
  auto consumer = actors.probe("partition_consumer");
  consumer.mailbox_depth(17);
  consumer.processed(std::chrono::microseconds{30});
  { auto t = consumer.time(); }
  consumer.restarted();
  actors.restarted("partition_consumer");
  actors.probe("window_actor").mailbox_depth(1);
  auto text = reg.serialize();
  CHECK(has_line(text, "txstream_actor_mailbox_depth{actor_type=\"partition_consumer\"} 17"));
  CHECK(has_line(text, "txstream_actor_mailbox_depth{actor_type=\"window_actor\"} 1"));
  CHECK(has_line(text, "txstream_actor_restarts_total{actor_type=\"partition_consumer\"} 2"));
  CHECK(sample(text, "txstream_actor_processing_seconds_count{actor_type="
                     "\"partition_consumer\"}")
        == 2);
  CHECK(sample(text, "txstream_actor_processing_seconds_bucket{actor_type="
                     "\"partition_consumer\",le=\"5e-05\"}")
        >= 1);
}

TEST_CASE("cluster and generator probes", "[monitoring]") {
  metrics_registry reg{"test"};
  cluster_probe cluster{reg};
  generator_probe gen{reg};
  cluster.partitions_owned(6);
  cluster.shards_owned(12);
  cluster.cluster_size(3);
  cluster.rebalanced();
  cluster.checkpoint_completed(std::chrono::milliseconds{20});
  cluster.shards_taken_over(10);
  cluster.map_change_paused(std::chrono::milliseconds{300});
  gen.sent(1000);
  gen.errors();
  auto text = reg.serialize();
  CHECK(has_line(text, "txstream_partitions_owned 6"));
  CHECK(has_line(text, "txstream_shards_owned 12"));
  CHECK(has_line(text, "txstream_cluster_size 3"));
  CHECK(has_line(text, "txstream_rebalances_total 1"));
  CHECK(sample(text, "txstream_checkpoint_duration_seconds_count") == 1);
  CHECK(sample(text, "txstream_checkpoint_age_seconds") < 5);
  CHECK(has_line(text, "txstream_generator_sent_total 1000"));
  CHECK(has_line(text, "txstream_generator_errors_total 1"));
  CHECK(has_line(text, "txstream_shards_taken_over_total 10"));
  CHECK(sample(text, "txstream_map_change_pause_seconds_sum") == Approx(0.3));
}

TEST_CASE("link probe: traffic, round trips and abandoned batches per peer", "[monitoring]") {
  metrics_registry reg{"test"};
  link_probe links{reg};
  CHECK(links.find("caf-node-a") == nullptr);
  links.name("caf-node-a", "node-2");
  links.name("caf-node-b", "node-3");
  auto* two = links.find("caf-node-a");
  REQUIRE(two != nullptr);
  two->sent(100, 4600);
  two->sent(50, 2300);
  two->sent(10, 460);
  two->answered(std::chrono::milliseconds{3});
  links.find("caf-node-b")->sent(1, 46);
  auto text = reg.serialize();
  CHECK(has_line(text, R"(txstream_link_batches_total{peer="node-2"} 3)"));
  CHECK(has_line(text, R"(txstream_link_records_total{peer="node-2"} 160)"));
  CHECK(has_line(text, R"(txstream_link_bytes_total{peer="node-2"} 7360)"));
  CHECK(has_line(text, R"(txstream_link_in_flight_batches{peer="node-2"} 2)"));
  CHECK(has_line(text, R"(txstream_link_round_trip_seconds_count{peer="node-2"} 1)"));
  CHECK(has_line(text, R"(txstream_link_batches_total{peer="node-3"} 1)"));
  auto snap = links.snapshot();
  REQUIRE(snap.size() == 2);
  CHECK(snap[0].peer == "node-2");
  CHECK(snap[0].in_flight == 2);
  CHECK(snap[0].batches == 3);
  CHECK(snap[0].bytes == 7360);
  // A new incarnation of a peer on the same id keeps counting on its link.
  links.name("caf-node-a2", "node-2");
  CHECK(links.find("caf-node-a2") == two);
  // The pipeline ends: what was never answered is abandoned, not in flight.
  links.pipeline_ended();
  text = reg.serialize();
  CHECK(has_line(text, R"(txstream_link_in_flight_batches{peer="node-2"} 0)"));
  CHECK(has_line(text, R"(txstream_link_abandoned_batches_total{peer="node-2"} 2)"));
  CHECK(has_line(text, R"(txstream_link_abandoned_batches_total{peer="node-3"} 1)"));
  CHECK(links.snapshot()[0].in_flight == 0);
}

TEST_CASE("the full exposition passes promtool check metrics", "[monitoring]") {
  if (!test::have_promtool()) {
    WARN("promtool not found in PATH: skipping the lint");
    return;
  }
  metrics_registry reg{"0.1.0"};
  pipeline_probe pipeline{reg};
  actor_metrics actors{reg};
  cluster_probe cluster{reg};
  generator_probe gen{reg};
  pipeline.consumed(0, 1);
  pipeline.produced("out", 1);
  pipeline.produce_errors("out");
  pipeline.dead_lettered("malformed_json");
  pipeline.anomalies("velocity");
  pipeline.consumer_lag(0, 1);
  pipeline.shard_records(0, 1);
  pipeline.observe_latency(0.2);
  actors.probe("shard_actor").processed(std::chrono::milliseconds{1});
  actors.restarted("shard_actor");
  cluster.checkpoint_completed(std::chrono::milliseconds{5});
  cluster.map_change_paused(std::chrono::milliseconds{5});
  link_probe links{reg};
  links.name("caf-node", "node-2");
  links.find("caf-node")->sent(1, 46);
  links.find("caf-node")->answered(std::chrono::milliseconds{1});
  gen.sent(1);
  auto result = test::promtool_check_metrics(reg.serialize());
  INFO(result.output);
  CHECK(result.exit_code == 0);
  CHECK(result.output.empty());
}

TEST_CASE("memory probe exports the budget, its parts' holdings and the "
          "process's resident memory",
          "[monitoring]") {
  metrics_registry reg{"t"};
  memory_probe probe{reg};
  probe.budget("total", 256 << 20);
  probe.budget("output", 32 << 20);
  std::int64_t output = 1234;
  probe.sample("output", [&output] { return output; });
  probe.windows(0, 10, 1000);
  probe.windows(3, 4, 500);
  probe.windows(0, 8, 700);  // the latest report of an aggregator counts
  auto text = reg.serialize();
  CHECK(sample(text, "txstream_memory_budget_bytes{part=\"total\"}") == 268435456);
  CHECK(sample(text, "txstream_memory_budget_bytes{part=\"output\"}") == 33554432);
  CHECK(sample(text, "txstream_memory_used_bytes{part=\"output\"}") == 1234);
  CHECK(sample(text, "txstream_memory_used_bytes{part=\"windows\"}") == 1200);
  CHECK(sample(text, "txstream_open_windows") == 12);
  probe.forget_windows();
  CHECK(sample(reg.serialize(), "txstream_open_windows") == 0);
  // Sampled anew at every scrape.
  output = 99;
  text = reg.serialize();
  CHECK(sample(text, "txstream_memory_used_bytes{part=\"output\"}") == 99);
  CHECK(sample(text, "txstream_process_resident_bytes") > 1 << 20);
  CHECK(sample(text, "txstream_process_peak_resident_bytes")
        >= sample(text, "txstream_process_resident_bytes"));
  auto result = test::promtool_check_metrics(text);
  INFO(result.output);
  CHECK(result.exit_code == 0);
}
