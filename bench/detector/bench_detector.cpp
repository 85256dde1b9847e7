// The fraud detector's state alone, on one core: nanoseconds per record for
// one record at a time (process) and for 2000-record batches (process_batch,
// which prefetches index entries), alternated ROUNDS times on the same input.
//   bench_detector [--records N] [--users U] [--rounds R]
// Users are drawn with a fixed multiplicative hash, so with U >> N nearly
// every record is a new user (the end-to-end bench input: 10 M users), and
// with U << N users return. Prints one line per round and mode, then
//   detector records=<N> users=<U> process_ns=<median> batch_ns=<median>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "actors/fraud_detector_state.hpp"
#include "bench/bench_measure.hpp"

using namespace txstream;
using bench::median;

namespace {

struct options {
  std::size_t records = 1'000'000;
  std::uint64_t users = 300'000;
  int rounds = 3;
};

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--records") == 0)
      o.records = std::strtoull(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--users") == 0)
      o.users = std::strtoull(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--rounds") == 0)
      o.rounds = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: bench_detector [--records N] [--users U] [--rounds R]\n");
      std::exit(2);
    }
  }
  return o;
}

std::vector<transaction> make_input(const options& o) {
  std::vector<transaction> txs(o.records);
  for (std::size_t i = 0; i < o.records; ++i) {
    auto& t = txs[i];
    t.transaction_id = "3902d972-401d-4765-b59e-b8a9d251c2b4";
    t.user_id = "user_" + std::to_string((i * 2654435761ULL) % o.users);
    t.merchant_id = "merchant_0001";
    t.location = "Berlin";
    t.currency = "EUR";
    t.amount_cents = 3000 + static_cast<std::int64_t>(i % 977);
    t.event_time_ms = 1'700'000'000'000 + static_cast<std::int64_t>(i / 10);
    t.source = {0, static_cast<std::int64_t>(i)};
  }
  return txs;
}

double run(const std::vector<transaction>& txs, bool batched) {
  fraud_detector_state det{fraud_rules_config{}};
  std::vector<anomaly> out;
  std::vector<transaction> batch;
  const auto t0 = std::chrono::steady_clock::now();
  if (batched) {
    for (std::size_t at = 0; at < txs.size(); at += 2000) {
      // Batches arrive as their own vectors in the node; copying them here
      // is timed, which only makes the batch path look slower.
      batch.assign(txs.begin() + static_cast<std::ptrdiff_t>(at),
                   txs.begin() + static_cast<std::ptrdiff_t>(std::min(txs.size(), at + 2000)));
      det.process_batch(batch, 0, out);
    }
  } else {
    for (const auto& t : txs)
      det.process(t, 0, out);
  }
  const auto t1 = std::chrono::steady_clock::now();
  return std::chrono::duration<double, std::nano>(t1 - t0).count()
         / static_cast<double>(txs.size());
}

}  // namespace

int main(int argc, char** argv) {
  const auto o = parse(argc, argv);
  const auto txs = make_input(o);
  std::vector<double> single;
  std::vector<double> batched;
  for (int r = 0; r < o.rounds; ++r) {
    single.push_back(run(txs, false));
    batched.push_back(run(txs, true));
    std::printf("round %d process_ns=%.0f batch_ns=%.0f\n", r + 1, single.back(), batched.back());
  }
  std::printf("detector records=%zu users=%llu process_ns=%.0f batch_ns=%.0f\n", o.records,
              static_cast<unsigned long long>(o.users), median(single), median(batched));
}
