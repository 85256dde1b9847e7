#include <catch2/catch.hpp>

#include <limits>
#include <string>
#include <vector>

#include "actors/merchant_aggregator_state.hpp"

using namespace txstream;

namespace {

transaction tx(std::int32_t p, std::int64_t offset, std::string merchant, std::string currency,
               std::int64_t cents, std::int64_t time,
               transaction_type type = transaction_type::purchase) {
  transaction t;
  t.merchant_id = std::move(merchant);
  t.currency = std::move(currency);
  t.amount_cents = cents;
  t.event_time_ms = time;
  t.type = type;
  t.source = {p, offset};
  return t;
}

aggregator_config cfg(std::int64_t lateness = 5000) {
  aggregator_config c;
  c.window_ms = 60000;
  c.allowed_lateness_ms = lateness;
  c.idle_partition_timeout_ms = 10000;
  return c;
}

window_aggregate win(std::string m, std::string c, std::int64_t start, std::int64_t count,
                     std::int64_t purchase, std::int64_t refund, std::int64_t min,
                     std::int64_t max) {
  return window_aggregate{std::move(m), std::move(c), start, start + 60000, count, purchase,
                          refund,       min,          max};
}

}  // namespace

TEST_CASE("a window closes when the watermark reaches its end", "[actors]") {
  merchant_aggregator_state st{cfg()};
  aggregator_output out;
  const auto refund = transaction_type::refund;
  st.add(0,
         {tx(0, 0, "m1", "USD", 100, 1000), tx(0, 1, "m1", "USD", 50, 2000, refund),
          tx(0, 2, "m2", "EUR", 70, 3000), tx(0, 3, "m1", "EUR", 5, 59999),
          tx(0, 4, "m1", "USD", 10, 64999)},
         0, out);
  CHECK(out.windows.empty());
  CHECK(st.watermark() == 59999);
  CHECK(st.open_windows() == 4);
  st.add(0, {tx(0, 5, "m1", "USD", 20, 65000)}, 0, out);
  REQUIRE(out.windows.size() == 3);
  CHECK(out.windows[0] == win("m1", "EUR", 0, 1, 5, 0, 5, 5));
  CHECK(out.windows[1] == win("m1", "USD", 0, 2, 100, 50, 50, 100));
  CHECK(out.windows[2] == win("m2", "EUR", 0, 1, 70, 0, 70, 70));
  CHECK(st.closed_through() == 60000);
  CHECK(st.open_windows() == 1);
  REQUIRE(out.totals.size() == 3);
  CHECK(out.totals[1].merchant_id == "m1");
  CHECK(out.totals[1].currency == "USD");
  CHECK(out.totals[1].transaction_count == 2);
  CHECK(out.totals[1].purchase_cents == 100);
  CHECK(out.totals[1].refund_cents == 50);
  CHECK(out.totals[1].last_window_end_ms == 60000);
  CHECK(out.totals[1].as_of_ms == 59999);
  CHECK(out.late.empty());
  CHECK(out.skipped == 0);
}

TEST_CASE("windows before the epoch close and total correctly", "[actors]") {
  merchant_aggregator_state st{cfg(0)};
  aggregator_output out;
  st.add(0, {tx(0, 0, "m", "USD", 7, -1), tx(0, 1, "m", "USD", 9, -60000)}, 0, out);
  st.add(0, {tx(0, 2, "m", "USD", 1, 0)}, 0, out);
  REQUIRE(out.windows.size() == 1);
  CHECK(out.windows[0] == win("m", "USD", -60000, 2, 16, 0, 7, 9));
  REQUIRE(out.totals.size() == 1);
  CHECK(out.totals[0].last_window_end_ms == 0);
  CHECK(out.totals[0].as_of_ms == -1);
}

TEST_CASE("lateness is judged by the record's own partition watermark", "[actors]") {
  merchant_aggregator_state st{cfg()};
  aggregator_output out;
  st.assign_partition(0, 0);
  st.assign_partition(1, 0);
  // p0 reaches 130000 (watermark 125000); 119999 then ends at 120000: late.
  st.add(0,
         {tx(0, 0, "m", "USD", 1, 130000), tx(0, 1, "m", "USD", 2, 119999),
          tx(0, 2, "m", "USD", 4, 120000)},
         0, out);
  CHECK(out.late == std::vector<std::size_t>{1});
  // The same event time on p1, whose watermark is behind, is on time.
  out.clear();
  st.add(1, {tx(1, 0, "m", "USD", 8, 119999)}, 0, out);
  CHECK(out.late.empty());
  CHECK(st.watermark() == 114999);
  out.clear();
  st.add(1, {tx(1, 1, "m", "USD", 16, 125000)}, 0, out);
  REQUIRE(out.windows.size() == 1);
  CHECK(out.windows[0] == win("m", "USD", 60000, 1, 8, 0, 8, 8));
}

TEST_CASE("without assignment a partition's first data may find its window "
          "closed",
          "[actors]") {
  merchant_aggregator_state st{cfg()};
  aggregator_output out;
  st.add(0, {tx(0, 0, "m", "USD", 1, 130000)}, 0, out);
  CHECK(st.closed_through() == 125000);
  st.add(1, {tx(1, 0, "m", "USD", 1, 100000), tx(1, 1, "m", "USD", 1, 121000)}, 0, out);
  CHECK(out.late == std::vector<std::size_t>{0});
}

TEST_CASE("records of an idle partition that come back to a closed window "
          "are late",
          "[actors]") {
  merchant_aggregator_state st{cfg()};
  aggregator_output out;
  st.add(0, {tx(0, 0, "a", "USD", 1, 10000)}, 0, out);
  st.add(1, {tx(1, 0, "b", "USD", 1, 10000)}, 0, out);
  st.add(0, {tx(0, 1, "a", "USD", 1, 200000)}, 5000, out);
  CHECK(out.windows.empty());  // p1 holds the watermark at 5000
  st.tick(1000000, out);
  CHECK(out.windows.empty());                                    // silence alone releases nothing
  st.on_status(partition_status{1, 10000, true}, 1000001, out);  // p1 idle
  CHECK(st.watermark() == 195000);
  REQUIRE(out.windows.size() == 2);
  out.clear();
  st.add(1,
         {tx(1, 1, "b", "USD", 1, 50000), tx(1, 2, "b", "USD", 1, 150000),
          tx(1, 3, "b", "USD", 1, 210000)},
         1000002, out);
  CHECK(out.late == std::vector<std::size_t>{0, 1});
  CHECK(st.watermark() == 195000);  // monotonic although p1 is back lower
}

TEST_CASE("a partition's progress moves the watermark of a shard that gets "
          "none of its records",
          "[actors]") {
  merchant_aggregator_state st{cfg()};
  aggregator_output out;
  st.assign_partition(0, 0);
  st.assign_partition(1, 0);
  st.add(0, {tx(0, 0, "a", "USD", 1, 10000)}, 0, out);
  // Partition 1's records all went to other shards; its consumer tells
  // this one how far it got.
  st.on_status(partition_status{1, 130000, false}, 0, out);
  CHECK(st.watermark() == 5000);  // partition 0 holds it
  // The batch's maximum is the whole partition's, not just shard "a"'s.
  const shard_record b{tx(0, 1, "a", "USD", 2, 70000)};
  st.add(0, &b, 1, 128000, 0, out);
  CHECK(st.tracker().max_event_time(0) == 128000);
  CHECK(st.watermark() == 123000);
  REQUIRE(out.windows.size() == 2);
  CHECK(out.windows[0].window_end_ms == 60000);
  CHECK(out.windows[1].window_end_ms == 120000);
  SECTION("the batch's own records are classified before its max applies") {
    // 121000 is behind 200000 - 5000, but it came before the record that
    // moved the partition that far: not late.
    const shard_record c{tx(0, 2, "a", "USD", 3, 121000)};
    aggregator_output more;
    st.add(0, &c, 1, 200000, 0, more);
    CHECK(more.late.empty());
  }
}

TEST_CASE("finished partitions stop holding - all excluded freezes - flush "
          "closes",
          "[actors]") {
  merchant_aggregator_state st{cfg()};
  aggregator_output out;
  st.add(0, {tx(0, 0, "a", "USD", 1, 10000)}, 0, out);
  st.add(1, {tx(1, 0, "a", "USD", 1, 100000)}, 0, out);
  CHECK(st.watermark() == 5000);
  st.finish_partition(0, out);
  CHECK(st.watermark() == 95000);
  REQUIRE(out.windows.size() == 1);
  st.finish_partition(1, out);
  st.tick(1000000, out);
  CHECK(st.watermark() == 95000);
  CHECK(st.open_windows() == 1);
  out.clear();
  st.flush_all(out);
  REQUIRE(out.windows.size() == 1);
  CHECK(out.windows[0].window_end_ms == 120000);
  CHECK(st.closed_through() == 120000);
  CHECK(st.open_windows() == 0);
}

TEST_CASE("re-delivered offsets are skipped, not counted twice", "[actors]") {
  merchant_aggregator_state st{cfg()};
  aggregator_output out;
  st.add(0, {tx(0, 0, "a", "USD", 1, 1000), tx(0, 1, "a", "USD", 1, 2000)}, 0, out);
  st.add(0, {tx(0, 1, "a", "USD", 1, 2000), tx(0, 2, "a", "USD", 1, 3000)}, 0, out);
  CHECK(out.skipped == 1);
  st.flush_all(out);
  REQUIRE(out.windows.size() == 1);
  CHECK(out.windows[0].transaction_count == 3);
}

TEST_CASE("after a restore, re-read records of closed windows are skipped", "[actors]") {
  merchant_aggregator_state st{cfg()};
  aggregator_output out;
  partition_checkpoint cp;
  cp.resume_offset = 10;
  cp.max_event_time_ms = 50000;
  cp.last_offset = 20;
  cp.closed_through_ms = 60000;
  st.restore_partition(0, cp, 0);
  CHECK(st.watermark() == 60000);
  CHECK(st.open_min_offset(0) == no_offset);
  st.add(0,
         {tx(0, 5, "a", "USD", 1, 61000),    // below resume: done before
          tx(0, 12, "a", "USD", 1, 50000),   // re-read, window closed: skip
          tx(0, 13, "a", "USD", 1, 61000),   // re-read, window open: count
          tx(0, 14, "a", "USD", 1, -1000),   // late by p0's watermark
          tx(0, 25, "a", "USD", 1, 55000)},  // new record, window closed: late
         0, out);
  CHECK(out.skipped == 2);
  CHECK(out.late == std::vector<std::size_t>{3, 4});
  CHECK(st.open_windows() == 1);
  CHECK(st.open_min_offset(0) == 13);
}

TEST_CASE("after a restart, a merchant's restored total decides which re-read "
          "records were emitted before",
          "[actors]") {
  // The first run closed [0, 60000) and delivered it whole, then closed
  // [60000, 120000), of which only a's window and total arrived before the
  // crash. The commit stayed at offset 2, where the second window began.
  const std::vector<transaction> input = {
    tx(0, 0, "a", "USD", 10, 10000), tx(0, 1, "b", "USD", 20, 20000),
    tx(0, 2, "a", "USD", 5, 70000),  tx(0, 3, "b", "USD", 7, 45000),
    tx(0, 4, "c", "USD", 3, 80000),  tx(0, 5, "a", "USD", 1, 95000),
    tx(0, 6, "d", "USD", 2, 130000), tx(0, 7, "e", "USD", 1, 160000)};
  auto total = [](std::string m, std::int64_t count, std::int64_t cents, std::int64_t last_end) {
    running_total t;
    t.merchant_id = std::move(m);
    t.currency = "USD";
    t.transaction_count = count;
    t.purchase_cents = cents;
    t.as_of_ms = last_end - 1;
    t.last_window_end_ms = last_end;
    return t;
  };
  merchant_aggregator_state st{cfg(30000)};
  st.restore_total(total("a", 3, 16, 120000));
  st.restore_total(total("b", 2, 27, 60000));
  // A node knows no shard's closed-through after a crash: only the totals
  // that reached the topic say which windows went out.
  partition_checkpoint cp;
  cp.resume_offset = 2;
  cp.max_event_time_ms = 20000;
  cp.last_offset = 7;
  st.restore_partition(0, cp, 0);
  st.assign_partition(0, 0);
  aggregator_output out;
  st.add(0, input, 0, out);
  CHECK(out.late.empty());
  CHECK(out.skipped == 2 + 3);  // below the resume offset, then a, b, a
  st.flush_all(out);
  CHECK(out.windows
        == std::vector<window_aggregate>{win("c", "USD", 60000, 1, 3, 0, 3, 3),
                                         win("d", "USD", 120000, 1, 2, 0, 2, 2),
                                         win("e", "USD", 120000, 1, 1, 0, 1, 1)});
  REQUIRE(out.totals.size() == 3);
  CHECK(out.totals[0].merchant_id == "c");
  CHECK(out.totals[0].transaction_count == 1);
  CHECK(out.totals[0].last_window_end_ms == 120000);
  const auto totals = st.totals();
  REQUIRE(totals.size() == 5);
  CHECK(totals[0].transaction_count == 3);  // a: not folded twice
  CHECK(totals[1].transaction_count == 2);  // b
}

TEST_CASE("running totals fold each window once, also when it is re-emitted", "[actors]") {
  const std::vector<transaction> first = {tx(0, 0, "a", "USD", 100, 1000),
                                          tx(0, 1, "a", "USD", 30, 2000, transaction_type::refund)};
  merchant_aggregator_state st{cfg()};
  aggregator_output out;
  st.add(0, first, 0, out);
  st.flush_all(out);
  REQUIRE(out.totals.size() == 1);
  const auto total = out.totals[0];
  const auto window = out.windows[0];
  CHECK(total.transaction_count == 2);

  // A restarted shard re-emits the same window: the restored total already
  // holds it, so it is not folded again.
  merchant_aggregator_state again{cfg()};
  again.restore_total(total);
  aggregator_output out2;
  again.add(0, first, 0, out2);
  again.add(0, {tx(0, 2, "a", "USD", 5, 61000)}, 0, out2);
  again.flush_all(out2);
  REQUIRE(out2.windows.size() == 2);
  CHECK(out2.windows[0] == window);
  REQUIRE(out2.totals.size() == 1);  // only the second window changed it
  CHECK(out2.totals[0].transaction_count == 3);
  CHECK(out2.totals[0].purchase_cents == 105);
  CHECK(out2.totals[0].refund_cents == 30);
  CHECK(out2.totals[0].last_window_end_ms == 120000);
  CHECK(again.totals().size() == 1);
}

TEST_CASE("the commit frontier follows open windows across partitions", "[actors]") {
  auto c = cfg(30000);
  c.totals_interval_ms = 0;  // every close releases its window at once
  merchant_aggregator_state st{c};
  aggregator_output out;
  st.assign_partition(0, 0);
  st.assign_partition(1, 0);
  CHECK(st.open_min_offset(0) == no_offset);
  st.add(0,
         {tx(0, 0, "a", "USD", 1, 10000), tx(0, 1, "b", "USD", 1, 70000),
          tx(0, 2, "a", "USD", 1, 50000)},
         0, out);
  st.add(1, {tx(1, 0, "a", "USD", 1, 65000), tx(1, 1, "c", "USD", 1, 80000)}, 0, out);
  CHECK(st.watermark() == 40000);
  CHECK(st.open_min_offset(0) == 0);
  CHECK(st.open_min_offset(1) == 0);
  st.add(0, {tx(0, 3, "a", "USD", 1, 95000)}, 0, out);
  CHECK(st.watermark() == 50000);
  st.add(1, {tx(1, 2, "a", "USD", 1, 100000)}, 0, out);
  CHECK(st.watermark() == 65000);  // closes [0, 60000)
  CHECK(st.open_min_offset(0) == 1);
  CHECK(st.open_min_offset(1) == 0);
  st.add(0, {tx(0, 4, "a", "USD", 1, 125000)}, 0, out);
  st.add(1, {tx(1, 3, "a", "USD", 1, 130000), tx(1, 4, "a", "USD", 1, 160000)}, 0, out);
  CHECK(st.watermark() == 95000);
  st.add(0, {tx(0, 5, "a", "USD", 1, 155000)}, 0, out);
  CHECK(st.watermark() == 125000);  // closes [60000, 120000)
  CHECK(st.open_min_offset(0) == 4);
  CHECK(st.open_min_offset(1) == 3);
  st.flush_all(out);
  // Nothing open: the shard holds neither partition's commit back.
  CHECK(st.open_min_offset(0) == no_offset);
  CHECK(st.open_min_offset(1) == no_offset);
}

TEST_CASE("totals of closes within the interval go out together - their "
          "windows hold offsets until then",
          "[actors]") {
  merchant_aggregator_state st{cfg()};  // totals at most once per 1000 ms
  aggregator_output out;
  st.assign_partition(0, 0);
  st.add(0,
         {tx(0, 0, "a", "USD", 10, 1000), tx(0, 1, "a", "USD", 20, 61000),
          tx(0, 2, "a", "USD", 30, 126000)},
         0, out);
  // Watermark 121000 closed [0, 60000) and [60000, 120000) in one call:
  // one total per key, folding both.
  REQUIRE(out.windows.size() == 2);
  REQUIRE(out.totals.size() == 1);
  CHECK(out.totals[0].transaction_count == 2);
  CHECK(out.totals[0].last_window_end_ms == 120000);
  CHECK(out.frontier_moved);
  CHECK(st.open_min_offset(0) == 2);

  // 400 ms later the next close emits its window, but not yet the total,
  // and its record's offset stays uncommitted.
  out.clear();
  st.add(0, {tx(0, 3, "a", "USD", 40, 185000)}, 400, out);
  REQUIRE(out.windows.size() == 1);
  CHECK(out.windows[0].window_start_ms == 120000);
  CHECK(out.totals.empty());
  CHECK_FALSE(out.frontier_moved);
  // A commit now must not let a restart skip the held window's records.
  CHECK(st.open_min_offset(0) == 2);

  out.clear();
  st.tick(999, out);
  CHECK(out.totals.empty());
  st.tick(1000, out);
  REQUIRE(out.totals.size() == 1);
  CHECK(out.totals[0].transaction_count == 3);
  CHECK(out.totals[0].purchase_cents == 60);
  CHECK(out.totals[0].last_window_end_ms == 180000);
  CHECK(out.frontier_moved);
  CHECK(st.open_min_offset(0) == 3);

  // The end of input emits whatever is pending, at once.
  out.clear();
  st.add(0, {tx(0, 4, "a", "USD", 50, 250000)}, 1100, out);
  REQUIRE(out.windows.size() == 1);
  CHECK(out.totals.empty());
  out.clear();
  st.flush_all(out);
  REQUIRE(out.windows.size() == 1);
  REQUIRE(out.totals.size() == 1);
  CHECK(out.totals[0].transaction_count == 5);
  CHECK(out.totals[0].purchase_cents == 150);
  CHECK(out.totals[0].last_window_end_ms == 300000);
  CHECK(st.open_min_offset(0) == no_offset);
}

TEST_CASE("open_min_offset reports only records in open windows", "[actors]") {
  merchant_aggregator_state st{cfg()};
  aggregator_output out;
  constexpr auto none = std::numeric_limits<std::int64_t>::max();
  CHECK(st.open_min_offset(0) == none);
  st.add(0, {tx(0, 3, "a", "USD", 1, 1000), tx(0, 4, "a", "USD", 1, 61000)}, 0, out);
  CHECK(st.open_min_offset(0) == 3);
  st.add(0, {tx(0, 5, "a", "USD", 1, 66000)}, 0, out);  // closes [0, 60000)
  CHECK(st.open_min_offset(0) == 4);
  st.flush_all(out);
  CHECK(st.open_min_offset(0) == none);
}

TEST_CASE("re-attaching a partition to a live shard does not count twice", "[actors]") {
  merchant_aggregator_state st{cfg()};
  aggregator_output out;
  const std::vector<transaction> batch = {tx(0, 0, "a", "USD", 1, 1000),
                                          tx(0, 1, "a", "USD", 1, 2000)};
  st.add(0, batch, 0, out);
  // The partition moved to another consumer, which resumes from the last
  // commit (offset 0, nothing known yet) and sends the records again.
  st.restore_partition(0, partition_checkpoint{}, 5);
  st.add(0, batch, 5, out);
  CHECK(out.skipped == 2);
  st.add(0, {tx(0, 2, "a", "USD", 1, 3000)}, 5, out);
  st.flush_all(out);
  REQUIRE(out.windows.size() == 1);
  CHECK(out.windows[0].transaction_count == 3);
}

TEST_CASE("series whose hashes collide keep separate windows and totals", "[actors]") {
  // Every series gets the same hash: all but the first live in the
  // collision table. Merchant "m1" in "USD" and merchant "m1U" in "SD" would
  // have the same concatenated name; they are different series.
  auto same_hash = [](std::string_view, std::string_view) -> std::uint64_t { return 7; };
  const std::vector<transaction> input = {
    tx(0, 0, "m1", "USD", 100, 1000), tx(0, 1, "m1", "EUR", 5, 2000),
    tx(0, 2, "m2", "EUR", 70, 3000),  tx(0, 3, "m1U", "SD", 9, 4000),
    tx(0, 4, "m1", "USD", 20, 5000),  tx(0, 5, "m1U", "SD", 1, 61000),
    tx(0, 6, "m1", "EUR", 3, 62000)};
  merchant_aggregator_state weak{cfg(), same_hash};
  merchant_aggregator_state normal{cfg()};
  aggregator_output weak_out;
  aggregator_output normal_out;
  weak.add(0, input, 0, weak_out);
  weak.flush_all(weak_out);
  normal.add(0, input, 0, normal_out);
  normal.flush_all(normal_out);
  REQUIRE(weak_out.windows.size() == 6);
  CHECK(weak_out.windows[0] == win("m1", "EUR", 0, 1, 5, 0, 5, 5));
  CHECK(weak_out.windows[1] == win("m1", "USD", 0, 2, 120, 0, 20, 100));
  CHECK(weak_out.windows[2] == win("m1U", "SD", 0, 1, 9, 0, 9, 9));
  CHECK(weak_out.windows[3] == win("m2", "EUR", 0, 1, 70, 0, 70, 70));
  CHECK(weak_out.windows[4] == win("m1", "EUR", 60000, 1, 3, 0, 3, 3));
  CHECK(weak_out.windows[5] == win("m1U", "SD", 60000, 1, 1, 0, 1, 1));
  CHECK(weak_out.windows == normal_out.windows);
  CHECK(weak_out.totals == normal_out.totals);
  CHECK(weak.totals() == normal.totals());
  REQUIRE(weak.totals().size() == 4);
  CHECK(weak.totals()[2].merchant_id == "m1U");
  CHECK(weak.totals()[2].transaction_count == 2);
}
