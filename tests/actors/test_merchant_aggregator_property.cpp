#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>  // throughput measurement
#include <cstdio>  // throughput report
#include <ctime>   // std::clock: CPU time, robust on a busy machine
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "actors/merchant_aggregator_state.hpp"

using namespace txstream;

namespace {

constexpr std::int64_t window_ms = 60000;
constexpr std::int64_t lateness_ms = 5000;

aggregator_config test_config(std::int64_t totals_interval_ms = 1000) {
  aggregator_config c;
  c.window_ms = window_ms;
  c.allowed_lateness_ms = lateness_ms;
  c.totals_interval_ms = totals_interval_ms;
  return c;
}

using stream = std::vector<std::vector<transaction>>;  // per partition
using window_key = std::tuple<std::int64_t, std::string, std::string>;
using position = std::pair<std::int32_t, std::int64_t>;

window_key key_of(const window_aggregate& w) {
  return {w.window_end_ms, w.merchant_id, w.currency};
}

// Event times drift forward with jitter; a few jump far back to be late.
stream make_stream(std::mt19937_64& rng, int partitions, int per_partition) {
  stream s(static_cast<std::size_t>(partitions));
  std::uniform_int_distribution<int> merchant(0, 14);
  std::uniform_int_distribution<int> currency(0, 2);
  std::uniform_int_distribution<std::int64_t> cents(1, 500000);
  std::uniform_int_distribution<std::int64_t> jitter(-8000, 8000);
  std::uniform_int_distribution<int> pct(0, 99);
  const char* currencies[] = {"EUR", "GBP", "USD"};
  for (int p = 0; p < partitions; ++p) {
    std::int64_t clock = -200000 + p * 7000;  // start before the epoch
    for (int i = 0; i < per_partition; ++i) {
      clock += std::uniform_int_distribution<std::int64_t>(0, 900)(rng);
      transaction tx;
      tx.merchant_id = "merchant_" + std::to_string(merchant(rng));
      tx.currency = currencies[currency(rng)];
      tx.amount_cents = cents(rng);
      tx.type = pct(rng) < 15 ? transaction_type::refund : transaction_type::purchase;
      tx.event_time_ms = clock + jitter(rng);
      if (pct(rng) < 3)
        tx.event_time_ms -= 90000;
      tx.source = {p, i};
      s[static_cast<std::size_t>(p)].push_back(std::move(tx));
    }
  }
  return s;
}

// The specification run directly: per-partition prefix-max lateness, then
// grouping of everything else. Valid when no partition is ever excluded.
struct oracle {
  std::map<window_key, window_aggregate> windows;
  std::set<position> late;
};

oracle expected(const stream& s) {
  oracle o;
  for (const auto& part : s) {
    std::int64_t max_t = no_event_time;
    for (const auto& tx : part) {
      auto start = window_start_of(tx.event_time_ms, window_ms);
      if (max_t != no_event_time && start + window_ms <= max_t - lateness_ms) {
        o.late.emplace(tx.source.partition, tx.source.offset);
        continue;
      }
      max_t = std::max(max_t, tx.event_time_ms);
      auto& w = o.windows[{start + window_ms, tx.merchant_id, tx.currency}];
      if (w.transaction_count == 0) {
        w = window_aggregate{tx.merchant_id,  tx.currency,    start, start + window_ms, 0, 0, 0,
                             tx.amount_cents, tx.amount_cents};
      }
      ++w.transaction_count;
      (tx.type == transaction_type::refund ? w.refund_cents : w.purchase_cents) += tx.amount_cents;
      w.min_cents = std::min(w.min_cents, tx.amount_cents);
      w.max_cents = std::max(w.max_cents, tx.amount_cents);
    }
  }
  return o;
}

struct delivery {
  std::int32_t partition;
  std::vector<transaction> batch;
};

// Cuts each partition (from its first offset >= from[p]) into random
// batches and interleaves them randomly, keeping each partition's order.
std::vector<delivery> schedule(std::mt19937_64& rng, const stream& s,
                               const std::vector<std::int64_t>& from) {
  std::vector<std::vector<delivery>> per(s.size());
  for (std::size_t p = 0; p < s.size(); ++p) {
    auto begin = static_cast<std::size_t>(std::max<std::int64_t>(from[p], 0));
    for (auto i = begin; i < s[p].size();) {
      auto n = std::uniform_int_distribution<std::size_t>(1, 60)(rng);
      auto end = std::min(s[p].size(), i + n);
      delivery d{static_cast<std::int32_t>(p), {}};
      d.batch.assign(s[p].begin() + static_cast<std::ptrdiff_t>(i),
                     s[p].begin() + static_cast<std::ptrdiff_t>(end));
      per[p].push_back(std::move(d));
      i = end;
    }
  }
  std::vector<delivery> all;
  std::vector<std::size_t> next(s.size(), 0);
  for (;;) {
    std::vector<std::size_t> open;
    for (std::size_t p = 0; p < s.size(); ++p)
      if (next[p] < per[p].size())
        open.push_back(p);
    if (open.empty())
      return all;
    auto p = open[std::uniform_int_distribution<std::size_t>(0, open.size() - 1)(rng)];
    all.push_back(std::move(per[p][next[p]++]));
  }
}

struct run_log {
  std::vector<window_aggregate> windows;
  std::set<position> late;
  std::map<std::pair<std::string, std::string>, running_total> totals;

  void take(const delivery* d, aggregator_output& out) {
    for (auto i : out.late)
      late.emplace(d->partition, d->batch[i].source.offset);
    windows.insert(windows.end(), out.windows.begin(), out.windows.end());
    for (const auto& t : out.totals)
      totals[{t.merchant_id, t.currency}] = t;
    out.clear();
  }
};

void check_totals_match(const std::map<window_key, window_aggregate>& windows,
                        const std::vector<running_total>& totals) {
  std::map<std::pair<std::string, std::string>, running_total> sum;
  for (const auto& [k, w] : windows) {
    auto& t = sum[{w.merchant_id, w.currency}];
    t.transaction_count += w.transaction_count;
    t.purchase_cents += w.purchase_cents;
    t.refund_cents += w.refund_cents;
    t.last_window_end_ms = std::max(t.last_window_end_ms, w.window_end_ms);
  }
  REQUIRE(totals.size() == sum.size());
  for (const auto& t : totals) {
    const auto& s = sum[{t.merchant_id, t.currency}];
    CHECK(t.transaction_count == s.transaction_count);
    CHECK(t.purchase_cents == s.purchase_cents);
    CHECK(t.refund_cents == s.refund_cents);
    CHECK(t.last_window_end_ms == s.last_window_end_ms);
  }
}

/// The newest total emitted per key: what a reader of the topic ends with.
std::vector<running_total> last_emitted(const run_log& log) {
  std::vector<running_total> out;
  for (const auto& [key, t] : log.totals)
    out.push_back(t);
  return out;
}

/// p's max event time over its records below `offset`, by the rules'
/// prefix: what the partition's consumer keeps in the commit metadata.
std::int64_t max_event_below(const stream& s, std::int32_t p, std::int64_t offset) {
  std::int64_t max_t = no_event_time;
  for (const auto& tx : s[static_cast<std::size_t>(p)]) {
    if (tx.source.offset >= offset)
      break;
    auto end = window_start_of(tx.event_time_ms, window_ms) + window_ms;
    if (max_t != no_event_time && end <= max_t - lateness_ms)
      continue;  // late: moves no watermark
    max_t = std::max(max_t, tx.event_time_ms);
  }
  return max_t;
}

}  // namespace

TEST_CASE("emitted windows and late records do not depend on batching or "
          "interleaving",
          "[actors]") {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    std::mt19937_64 rng{seed};
    const int partitions = 2 + static_cast<int>(seed % 3);
    auto s = make_stream(rng, partitions, 1500);
    auto want = expected(s);
    REQUIRE_FALSE(want.late.empty());
    for (int round = 0; round < 3; ++round) {
      merchant_aggregator_state st{test_config()};
      for (int p = 0; p < partitions; ++p)
        st.assign_partition(p, 0);
      run_log log;
      aggregator_output out;
      auto plan = schedule(rng, s, std::vector<std::int64_t>(s.size(), 0));
      std::vector<std::size_t> left(s.size(), 0);
      for (const auto& d : plan)
        ++left[static_cast<std::size_t>(d.partition)];
      for (const auto& d : plan) {
        st.add(d.partition, d.batch, 0, out);
        log.take(&d, out);
        if (--left[static_cast<std::size_t>(d.partition)] == 0) {
          st.finish_partition(d.partition, out);
          log.take(nullptr, out);
        }
      }
      st.flush_all(out);
      log.take(nullptr, out);
      CHECK(st.open_windows() == 0);

      // Deterministic emission order: by end, then merchant, then currency.
      CHECK(std::is_sorted(log.windows.begin(), log.windows.end(),
                           [](const auto& a, const auto& b) { return key_of(a) < key_of(b); }));
      std::map<window_key, window_aggregate> got;
      std::int64_t counted = 0;
      for (const auto& w : log.windows) {
        CHECK(got.emplace(key_of(w), w).second);  // each window once
        counted += w.transaction_count;
      }
      CHECK(got == want.windows);
      CHECK(log.late == want.late);
      CHECK(counted + static_cast<std::int64_t>(log.late.size()) == partitions * 1500);
      check_totals_match(got, st.totals());
      check_totals_match(got, last_emitted(log));
    }
  }
}

TEST_CASE("a crash and replay from the commit frontier gives the same "
          "windows and totals",
          "[actors]") {
  // Totals with every close (0), or at most once per second of a clock that
  // advances 300 ms per batch: closes then hold their windows' offsets back
  // until their totals go out, and a crash may fall in between.
  for (std::int64_t interval : {0, 1000})
    for (std::uint64_t seed = 100; seed < 130; ++seed) {
      CAPTURE(interval, seed);
      std::mt19937_64 rng{seed};
      const int partitions = 3;
      auto s = make_stream(rng, partitions, 1200);
      auto want = expected(s);
      auto plan = schedule(rng, s, std::vector<std::int64_t>(s.size(), 0));
      auto crash_at = std::uniform_int_distribution<std::size_t>(0, plan.size())(rng);
      auto commit_at = std::uniform_int_distribution<std::size_t>(0, crash_at)(rng);

      // First incarnation: each partition's consumer commits at commit_at
      // what it may (its next offset, or the lowest one the shard holds in an
      // open window), and it crashes at crash_at. Output up to the crash has
      // been delivered.
      merchant_aggregator_state first{test_config(interval)};
      for (int p = 0; p < partitions; ++p)
        first.assign_partition(p, 0);
      run_log log;
      aggregator_output out;
      std::vector<std::int64_t> next(s.size(), 0);  // per partition
      std::vector<std::int64_t> committed(s.size(), 0);
      for (std::size_t k = 0; k <= crash_at; ++k) {
        if (k == commit_at)
          for (std::size_t p = 0; p < s.size(); ++p)
            committed[p] = std::min(next[p], first.open_min_offset(static_cast<std::int32_t>(p)));
        if (k == crash_at)
          break;
        first.add(plan[k].partition, plan[k].batch, static_cast<std::int64_t>(k) * 300, out);
        log.take(&plan[k], out);
        next[static_cast<std::size_t>(plan[k].partition)] = plan[k].batch.back().source.offset + 1;
      }

      // Second incarnation, restored as the node restores a shard: the
      // committed offsets with their metadata, each partition's end, and the
      // totals read back from the output (their latest lastWindowEnd says
      // which windows were emitted); then a replay from the committed offsets
      // with new batching.
      merchant_aggregator_state second{test_config(interval)};
      std::int64_t emitted_through = no_event_time;
      for (const auto& [k, t] : log.totals) {
        second.restore_total(t);
        emitted_through = std::max(emitted_through, t.last_window_end_ms);
      }
      for (int p = 0; p < partitions; ++p) {
        const auto i = static_cast<std::size_t>(p);
        partition_checkpoint cp;
        cp.resume_offset = committed[i];
        cp.max_event_time_ms = max_event_below(s, p, committed[i]);
        cp.last_offset = static_cast<std::int64_t>(s[i].size()) - 1;
        cp.closed_through_ms = emitted_through;
        second.restore_partition(p, cp, 0);
        second.assign_partition(p, 0);
      }
      auto from = committed;
      auto replay = schedule(rng, s, from);
      std::int64_t now = 0;
      for (const auto& d : replay) {
        second.add(d.partition, d.batch, now += 300, out);
        log.take(&d, out);
      }
      second.flush_all(out);
      log.take(nullptr, out);

      std::map<window_key, window_aggregate> got;
      for (const auto& w : log.windows) {
        auto [it, fresh] = got.emplace(key_of(w), w);
        if (!fresh)
          CHECK(it->second == w);  // a re-emitted window is identical
      }
      CHECK(got == want.windows);
      // Every late record was reported at least once; no counted one was.
      CHECK(std::includes(log.late.begin(), log.late.end(), want.late.begin(), want.late.end()));
      CHECK(std::includes(want.late.begin(), want.late.end(), log.late.begin(), log.late.end()));
      check_totals_match(got, second.totals());
      check_totals_match(got, last_emitted(log));
    }
}

TEST_CASE("a crash that leaves the latest outputs partly undelivered, replayed "
          "with only the totals that arrived, gives the same windows and totals",
          "[actors]") {
  // Outputs are keyed by merchant, so the aggregates topic keeps each
  // merchant's records in order, but a crash may cut each merchant's at a
  // different point. Nothing after the commit needs to have arrived, and a
  // restarted node knows of the shard only the totals read back.
  for (std::int64_t interval : {0, 1000})
    for (std::uint64_t seed = 200; seed < 240; ++seed) {
      CAPTURE(interval, seed);
      std::mt19937_64 rng{seed};
      const int partitions = 3;
      auto s = make_stream(rng, partitions, 1200);
      auto want = expected(s);
      auto plan = schedule(rng, s, std::vector<std::int64_t>(s.size(), 0));
      auto crash_at = std::uniform_int_distribution<std::size_t>(0, plan.size())(rng);
      auto commit_at = std::uniform_int_distribution<std::size_t>(0, crash_at)(rng);

      struct emitted {
        bool after_commit;
        bool is_total;
        window_aggregate window;
        running_total total;
      };
      std::vector<emitted> emissions;
      merchant_aggregator_state first{test_config(interval)};
      for (int p = 0; p < partitions; ++p)
        first.assign_partition(p, 0);
      run_log log;
      aggregator_output out;
      std::vector<partition_checkpoint> committed(s.size());
      std::vector<std::int64_t> next(s.size(), 0);  // per partition
      // What a consumer commits: its next offset, or the lowest one the shard
      // holds in an open window, with the max event time below it.
      auto commit_all = [&] {
        for (int p = 0; p < partitions; ++p) {
          const auto i = static_cast<std::size_t>(p);
          auto& cp = committed[i];
          cp.resume_offset = std::min(next[i], first.open_min_offset(p));
          cp.max_event_time_ms = max_event_below(s, p, cp.resume_offset);
        }
      };
      for (std::size_t k = 0; k < crash_at; ++k) {
        if (k == commit_at)
          commit_all();
        first.add(plan[k].partition, plan[k].batch, static_cast<std::int64_t>(k) * 300, out);
        next[static_cast<std::size_t>(plan[k].partition)] = plan[k].batch.back().source.offset + 1;
        for (const auto& w : out.windows)
          emissions.push_back({k >= commit_at, false, w, {}});
        for (const auto& t : out.totals)
          emissions.push_back({k >= commit_at, true, {}, t});
        log.take(&plan[k], out);
      }
      if (commit_at == crash_at)
        commit_all();

      // What reached the topic: everything up to the commit, then a prefix of
      // each merchant's records.
      std::map<std::string, std::size_t> left;
      for (const auto& e : emissions)
        if (e.after_commit) {
          const auto& m = e.is_total ? e.total.merchant_id : e.window.merchant_id;
          auto& n = left.emplace(m, 0).first->second;
          ++n;
        }
      for (auto& [m, n] : left)
        n = std::uniform_int_distribution<std::size_t>(0, n)(rng);
      std::map<window_key, window_aggregate> got;
      std::map<std::pair<std::string, std::string>, running_total> topic_totals;
      for (const auto& e : emissions) {
        const auto& m = e.is_total ? e.total.merchant_id : e.window.merchant_id;
        if (e.after_commit && left[m]-- == 0) {
          left[m] = 0;
          continue;
        }
        if (e.is_total) {
          topic_totals[{m, e.total.currency}] = e.total;
        } else {
          auto [it, fresh] = got.emplace(key_of(e.window), e.window);
          if (!fresh)
            CHECK(it->second == e.window);
        }
      }

      merchant_aggregator_state second{test_config(interval)};
      for (const auto& [k, t] : topic_totals)
        second.restore_total(t);
      std::vector<std::int64_t> from(s.size());
      for (int p = 0; p < partitions; ++p) {
        auto cp = committed[static_cast<std::size_t>(p)];
        cp.closed_through_ms = no_event_time;
        cp.last_offset = static_cast<std::int64_t>(s[static_cast<std::size_t>(p)].size()) - 1;
        second.restore_partition(p, cp, 0);
        from[static_cast<std::size_t>(p)] = cp.resume_offset;
      }
      run_log replayed;
      auto replay = schedule(rng, s, from);
      std::int64_t now = 0;
      for (const auto& d : replay) {
        second.add(d.partition, d.batch, now += 300, out);
        replayed.take(&d, out);
      }
      second.flush_all(out);
      replayed.take(nullptr, out);

      for (const auto& w : replayed.windows) {
        auto [it, fresh] = got.emplace(key_of(w), w);
        if (!fresh)
          CHECK(it->second == w);  // a re-emitted window is identical
      }
      CHECK(got == want.windows);
      for (const auto& [k, t] : replayed.totals)
        topic_totals[k] = t;
      std::vector<running_total> last;
      for (const auto& [k, t] : topic_totals)
        last.push_back(t);
      check_totals_match(got, second.totals());
      check_totals_match(got, last);
      // No counted record is reported late.
      CHECK(std::includes(want.late.begin(), want.late.end(), replayed.late.begin(),
                          replayed.late.end()));
    }
}

TEST_CASE("add() throughput", "[actors][slow]") {
  constexpr int partitions = 5;
  constexpr std::size_t batch = 1000;
  constexpr std::size_t total = 5'000'000;
  std::mt19937_64 rng{7};
  std::uniform_int_distribution<int> merchant(0, 9999);
  std::uniform_int_distribution<std::int64_t> cents(1, 100000);
  const char* currencies[] = {"EUR", "GBP", "USD", "JPY"};
  // A pool of batches reused with fresh offsets and times, so the test does
  // not hold 5M transactions in memory.
  std::vector<std::vector<transaction>> pool(50);
  for (auto& b : pool)
    for (std::size_t i = 0; i < batch; ++i) {
      transaction tx;
      tx.merchant_id = "merchant_" + std::to_string(merchant(rng));
      tx.currency = currencies[i % 4];
      tx.amount_cents = cents(rng);
      b.push_back(std::move(tx));
    }
  merchant_aggregator_state st{aggregator_config{}};
  aggregator_output out;
  std::vector<std::int64_t> offset(partitions, 0);
  std::size_t windows = 0;
  std::chrono::nanoseconds busy{0};
  std::clock_t cpu = 0;
  for (std::size_t n = 0, k = 0; n < total; n += batch, ++k) {
    auto p = static_cast<std::int32_t>(k % partitions);
    auto& b = pool[k % pool.size()];
    for (std::size_t i = 0; i < b.size(); ++i) {
      // ~20k events/s per partition of event time, a little disorder.
      auto o = offset[static_cast<std::size_t>(p)]++;
      b[i].source = {p, o};
      b[i].event_time_ms = 1'700'000'000'000 + o / 20 - (i % 7) * 300;
    }
    auto c0 = std::clock();
    auto t0 = std::chrono::steady_clock::now();
    st.add(p, b, 0, out);
    busy += std::chrono::steady_clock::now() - t0;
    cpu += std::clock() - c0;
    windows += out.windows.size();
    out.clear();
  }
  st.flush_all(out);
  windows += out.windows.size();
  double secs = std::chrono::duration<double>(busy).count();
  double cpu_secs = static_cast<double>(cpu) / CLOCKS_PER_SEC;
  std::printf("merchant_aggregator_state::add: %zu txns, 10k merchants x 4 "
              "currencies: wall %.3f s = %.2f M txns/s, cpu %.3f s = %.2f M "
              "txns/s (%zu windows emitted)\n",
              total, secs, static_cast<double>(total) / secs / 1e6, cpu_secs,
              static_cast<double>(total) / cpu_secs / 1e6, windows);
  CHECK(windows > 0);
}
