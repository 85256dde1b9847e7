// ingress_state without CAF or Kafka: flow control, batching, idleness
// confirmed by the broker, commits and the end of an --until-drained run.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "actors/ingress_state.hpp"

using namespace txstream;

namespace {

ingress_limits limits() {
  ingress_limits l;
  l.max_batch_records = 4;
  l.max_in_flight_batches = 3;
  l.batch_linger_ms = 5;
  l.idle_timeout_ms = 10'000;
  l.drain_idle_ms = 2'000;
  l.confirm_interval_ms = 1'000;
  return l;
}

/// One partition assigned at time 0 from offset 100 (read from `read_from`
/// if earlier), with its load.
struct one_partition {
  ingress_state st;
  std::shared_ptr<partition_load> load = std::make_shared<partition_load>();

  explicit one_partition(ingress_limits l = limits(), std::int64_t read_from = -1) : st(l) {
    st.assign(0, 100, load, 0, read_from);
  }

  void read(std::int64_t offset, std::int64_t now_ms) {
    REQUIRE(st.on_record(0, offset, "k", "v" + std::to_string(offset), now_ms, now_ms));
  }

  /// The consumer routed every batch handed over and has `queued` in flight.
  void settle(std::uint64_t routed, std::uint64_t queued) {
    load->routed = routed;
    load->queued = queued;
  }

  std::vector<std::pair<std::int32_t, bool>> changes(std::int64_t now_ms) {
    std::vector<std::pair<std::int32_t, bool>> out;
    st.idle_changes(now_ms, out);
    return out;
  }

  std::vector<std::int32_t> due(std::int64_t now_ms) {
    std::vector<std::int32_t> out;
    st.confirmations_due(now_ms, out);
    return out;
  }
};

using change = std::pair<std::int32_t, bool>;

}  // namespace

TEST_CASE("the ingress hands over records at once to an idle pipeline and "
          "lingers for a busy one",
          "[actors]") {
  one_partition in;
  in.read(100, 0);
  raw_batch out;
  REQUIRE(in.st.take_batch(0, 0, out));  // nothing queued: at once
  CHECK(out.records.size() == 1);
  CHECK(out.partition == 0);
  CHECK(out.records[0].timestamp_ms == 0);
  in.settle(1, 2);  // two batches queued behind the consumer: busy
  in.read(101, 10);
  CHECK_FALSE(in.st.take_batch(0, 10, out));  // lingers to grow
  CHECK(in.st.take_batch(0, 15, out));        // lingered long enough
  CHECK(out.records.size() == 1);
  in.settle(2, 2);  // the second batch routed; still two queued
  in.read(102, 20);
  in.read(103, 20);
  in.read(104, 20);
  in.read(105, 20);
  CHECK(in.st.pending_records(0) == 4);
  CHECK(in.st.take_batch(0, 20, out));  // a full batch never lingers
  CHECK(out.records.size() == 4);
}

TEST_CASE("a partition with too many batches queued holds its records and "
          "stops reading",
          "[actors]") {
  one_partition in;
  raw_batch out;
  for (std::int64_t o = 100; o < 104; ++o)
    in.read(o, 0);
  in.settle(0, 3);  // 3 >= max_in_flight_batches
  CHECK_FALSE(in.st.take_batch(0, 100, out));
  CHECK(in.st.reading_blocked());
  CHECK(in.st.room(256) == 1);
  in.settle(0, 1);
  CHECK(in.st.take_batch(0, 100, out));
  CHECK_FALSE(in.st.reading_blocked());
  CHECK(in.st.room(256) == 4);
  CHECK(in.st.room(2) == 2);
}

TEST_CASE("re-fetched offsets and records of revoked partitions are not taken", "[actors]") {
  one_partition in;
  in.read(100, 0);
  CHECK_FALSE(in.st.on_record(0, 99, "k", "v", -1, 0));   // before the resume offset
  CHECK_FALSE(in.st.on_record(0, 100, "k", "v", -1, 0));  // read already
  CHECK_FALSE(in.st.on_record(1, 5, "k", "v", -1, 0));    // not ours
  CHECK(in.st.next_offset(0) == 101);
  CHECK(in.st.records_read() == 1);
  in.st.revoke(0);
  CHECK_FALSE(in.st.owns(0));
  CHECK_FALSE(in.st.on_record(0, 101, "k", "v", -1, 0));
  CHECK_FALSE(in.st.any_pending());
}

TEST_CASE("a partition is idle only when silent and confirmed at its log end", "[actors]") {
  one_partition in;
  in.read(100, 0);
  raw_batch out;
  REQUIRE(in.st.take_batch(0, 0, out));
  CHECK(in.due(5'000).empty());  // not silent long enough to ask
  CHECK(in.changes(10'000).empty());
  // Silent for the idle timeout: ask the broker; until it answers, not idle.
  CHECK(in.due(10'000) == std::vector<std::int32_t>{0});
  CHECK(in.due(10'500).empty());  // asked a moment ago
  CHECK(in.changes(10'500).empty());

  SECTION("the broker has more: a stalled fetch, not an idle partition") {
    in.st.on_log_end(0, 250, 10'010);
    CHECK(in.changes(10'020).empty());
    CHECK(in.due(11'000) == std::vector<std::int32_t>{0});  // asked again
    CHECK_FALSE(in.st.is_idle(0));
  }
  SECTION("the broker has nothing more: idle, until a record comes") {
    in.st.on_log_end(0, 101, 10'010);
    CHECK(in.changes(10'020) == std::vector<change>{{0, true}});
    CHECK(in.changes(10'030).empty());  // reported once
    CHECK(in.st.is_idle(0));
    in.read(101, 10'040);
    CHECK(in.changes(10'040) == std::vector<change>{{0, false}});
  }
  SECTION("an idle partition whose confirmations stop is busy again") {
    in.st.on_log_end(0, 101, 10'010);
    CHECK(in.changes(10'020) == std::vector<change>{{0, true}});
    // Still idle while the answers keep coming...
    CHECK(in.due(11'010) == std::vector<std::int32_t>{0});
    in.st.on_log_end(0, 101, 11'010);
    CHECK(in.changes(12'500).empty());
    // ...but a log end that grew means records wait for a stalled fetch.
    in.st.on_log_end(0, 120, 12'600);
    CHECK(in.changes(12'600) == std::vector<change>{{0, false}});
    // And one that is not confirmed for long (the broker does not answer)
    // cannot stay idle either.
    in.st.on_log_end(0, 101, 13'000);
    CHECK(in.changes(13'000) == std::vector<change>{{0, true}});
    in.st.on_log_end(0, -1, 14'000);  // a failed query
    CHECK(in.changes(15'001) == std::vector<change>{{0, false}});
  }
  SECTION("an answer from before the last record confirms nothing") {
    in.st.on_log_end(0, 101, 10'010);
    in.read(101, 10'020);
    REQUIRE(in.st.take_batch(0, 10'020, out));
    CHECK(in.changes(20'030).empty());
  }
}

TEST_CASE("an empty assigned partition becomes idle once confirmed", "[actors]") {
  one_partition in;
  CHECK(in.due(10'000) == std::vector<std::int32_t>{0});
  in.st.on_log_end(0, 100, 10'000);  // log end at the resume offset
  CHECK(in.changes(10'000) == std::vector<change>{{0, true}});
}

TEST_CASE("commit points are handed to Kafka once each", "[actors]") {
  one_partition in;
  std::vector<ingress_commit> commits;
  in.st.take_commits(commits);
  CHECK(commits.empty());
  in.st.on_commit_point(0, 150, "v1 42");
  in.st.on_commit_point(7, 10, "v1 1");  // not ours
  in.st.take_commits(commits);
  REQUIRE(commits.size() == 1);
  CHECK(commits[0].partition == 0);
  CHECK(commits[0].offset == 150);
  CHECK(commits[0].metadata == "v1 42");
  commits.clear();
  in.st.take_commits(commits);
  CHECK(commits.empty());
}

TEST_CASE("an --until-drained ingress flushes once the broker confirms the "
          "end, and flushes again if input resumes",
          "[actors]") {
  auto l = limits();
  l.until_drained = true;
  one_partition in{l};
  using step = ingress_state::drain_step;
  in.read(100, 0);
  in.read(101, 0);
  raw_batch out;
  REQUIRE(in.st.take_batch(0, 0, out));
  in.settle(1, 0);
  CHECK(in.st.drain(3'000) == step::none);  // not at the end per Kafka yet
  in.st.on_end_of_partition(0, 102);
  CHECK(in.st.drain(1'000) == step::none);  // not silent for drain_idle_ms
  // Silent and at the end by the last fetch: ask the broker first.
  CHECK(in.due(3'000) == std::vector<std::int32_t>{0});
  CHECK(in.st.drain(3'000) == step::none);

  SECTION("a fetch that stalled with records waiting does not end the input") {
    in.st.on_log_end(0, 900, 3'000);
    CHECK(in.st.drain(3'000) == step::none);
  }
  SECTION("the end, confirmed: flush, then done once committed to the end") {
    in.st.on_log_end(0, 102, 3'000);
    CHECK(in.st.drain(3'000) == step::flush);
    CHECK(in.st.flushing());
    CHECK(in.st.drain(3'001) == step::none);  // not committed to the end yet
    in.st.on_commit_point(0, 101, "v1 1");
    CHECK(in.st.drain(3'002) == step::none);
    in.st.on_commit_point(0, 102, "v1 1");
    CHECK(in.st.drain(3'003) == step::done);
  }
  SECTION("records after the flush: the drain starts over") {
    in.st.on_log_end(0, 102, 3'000);
    CHECK(in.st.drain(3'000) == step::flush);
    in.read(102, 3'100);
    CHECK(in.st.drain(3'100) == step::resumed);
    CHECK_FALSE(in.st.flushing());
    REQUIRE(in.st.take_batch(0, 3'100, out));
    in.st.on_end_of_partition(0, 103);
    CHECK(in.due(5'100) == std::vector<std::int32_t>{0});
    in.st.on_log_end(0, 103, 5'100);
    CHECK(in.st.drain(5'100) == step::flush);
    in.st.on_commit_point(0, 103, "v1 2");
    CHECK(in.st.drain(5'101) == step::done);
  }
}

TEST_CASE("a node without --until-drained never drains", "[actors]") {
  one_partition in;
  in.st.on_end_of_partition(0, 100);
  in.st.on_log_end(0, 100, 5'000);
  CHECK(in.st.drain(5'000) == ingress_state::drain_step::none);
}

TEST_CASE("a node that alone reads the input does not drain with part of it assigned", "[actors]") {
  // A killed predecessor's group member holds partitions 1 and 2 until its
  // session times out: partition 0 at its end is not the end of the input.
  auto l = limits();
  l.until_drained = true;
  l.whole_input_partitions = 3;
  one_partition in{l};
  using step = ingress_state::drain_step;
  in.st.on_end_of_partition(0, 100);
  in.st.on_log_end(0, 100, 3'000);
  CHECK(in.st.drain(3'000) == step::none);
  // The rebalance after the session timeout gives this node the rest.
  in.st.assign(1, 0, std::make_shared<partition_load>(), 3'000);
  in.st.assign(2, 0, std::make_shared<partition_load>(), 3'000);
  for (std::int32_t p : {1, 2}) {
    in.st.on_end_of_partition(p, 0);
    in.st.on_log_end(p, 0, 5'000);
  }
  in.st.on_log_end(0, 100, 5'000);
  CHECK(in.st.drain(5'000) == step::flush);
}

TEST_CASE("a partition re-read for its detector reads from earlier, committed from where it "
          "resumes",
          "[actors]") {
  auto l = limits();
  l.until_drained = true;
  one_partition in{l, 96};
  CHECK(in.st.next_offset(0) == 96);
  CHECK_FALSE(in.st.on_record(0, 95, "k", "v", 0, 0));
  for (std::int64_t o = 96; o < 100; ++o)
    in.read(o, 0);
  raw_batch out;
  REQUIRE(in.st.take_batch(0, 0, out));
  CHECK(out.records.front().offset == 96);
  in.settle(1, 0);
  // Read to the end: nothing new since the resume offset, nothing to commit.
  in.st.on_end_of_partition(0, 100);
  CHECK(in.due(3'000) == std::vector<std::int32_t>{0});
  in.st.on_log_end(0, 100, 3'000);
  using step = ingress_state::drain_step;
  CHECK(in.st.drain(3'000) == step::flush);
  CHECK(in.st.drain(3'001) == step::done);
  std::vector<ingress_commit> commits;
  in.st.take_commits(commits);
  CHECK(commits.empty());
}
