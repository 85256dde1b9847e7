// Decode and encode throughput of the txstream codec and of nlohmann::json on
// the same N distinct realistic records, pinned to one core. The last line is
// machine-readable:
//   codec decode=<msgs/s> encode=<msgs/s> nlohmann_decode=<msgs/s> nlohmann_encode=<msgs/s>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <sched.h>  // sched_setaffinity: one core, as the target is per core

#include <nlohmann/json.hpp>

#include "bench/bench_measure.hpp"
#include "messages/json_encoder.hpp"
#include "messages/transaction_decoder.hpp"

using namespace txstream;

namespace {

const char* const cities[] = {
  "New York",    "London", "Paris",         "Berlin",
  "Tokyo",       "Sydney", "Toronto",       "S\xc3\xa3o Paulo",
  "Mumbai",      "Lagos",  "Z\xc3\xbcrich", "Singapore",
  "Mexico City", "Cairo",  "Seoul",         "Madrid",
  "Chicago",     "Dubai",
};
const char* const currencies[] = {"USD", "EUR", "GBP", "JPY", "CHF", "BRL", "INR", "AUD"};

std::string uuid_v4(std::mt19937_64& rng) {
  static constexpr char hex[] = "0123456789abcdef";
  std::uint64_t hi = rng();
  std::uint64_t lo = rng();
  std::string s(36, '-');
  int bit = 0;
  for (int i = 0; i < 36; ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23)
      continue;
    auto& word = bit < 64 ? hi : lo;
    s[static_cast<std::size_t>(i)] = hex[(word >> (bit % 64)) & 0xF];
    bit += 4;
  }
  s[14] = '4';
  s[19] = hex[8 + (lo & 3)];
  return s;
}

// Distinct, realistic transactions: skewed merchants, log-normal amounts,
// increasing event times. Deterministic for the seed.
std::vector<transaction> make_records(std::size_t n) {
  std::mt19937_64 rng{42};
  std::lognormal_distribution<double> amount{3.5, 1.2};
  std::uniform_int_distribution<int> user{1, 100'000};
  std::vector<transaction> out(n);
  std::int64_t now = 1'700'000'000'000;
  char buf[32];
  for (std::size_t i = 0; i < n; ++i) {
    auto& t = out[i];
    t.transaction_id = uuid_v4(rng);
    std::snprintf(buf, sizeof(buf), "user_%06d", user(rng));
    t.user_id = buf;
    // Squaring a uniform draw skews toward low merchant numbers.
    double u = std::uniform_real_distribution<double>{0, 1}(rng);
    std::snprintf(buf, sizeof(buf), "merchant_%04d", static_cast<int>(u * u * 1000));
    t.merchant_id = buf;
    t.location = cities[rng() % std::size(cities)];
    t.currency = currencies[rng() % std::size(currencies)];
    t.amount_cents = std::max<std::int64_t>(1, std::llround(amount(rng) * 100));
    now += static_cast<std::int64_t>(rng() % 5);
    t.event_time_ms = now;
    t.type = rng() % 10 == 0 ? transaction_type::refund : transaction_type::purchase;
    t.method = static_cast<payment_method>(rng() % 4);
    t.is_international = rng() % 8 == 0;
  }
  return out;
}

// Payloads back to back in one buffer, as a Kafka batch would hold them.
struct payloads {
  std::string bytes;
  std::vector<std::size_t> ends;

  std::size_t size() const {
    return ends.size();
  }

  std::string_view at(std::size_t i) const {
    std::size_t begin = i == 0 ? 0 : ends[i - 1];
    return {bytes.data() + begin, ends[i] - begin};
  }
};

template <class T>
void keep(const T& x) {
  asm volatile("" : : "g"(&x) : "memory");  // defeats dead-code elimination
}

double thread_cpu_seconds() {
  return static_cast<double>(bench::thread_cpu_ns()) * 1e-9;
}

// Rates per CPU-second of this (pinned) thread, i.e. msgs/s on one core:
// on a shared machine wall time also counts time spent waiting for the CPU.
// Wall-clock rates are printed alongside for comparison.
double median_rate(std::size_t n, int reps, const std::function<void()>& run, const char* name) {
  std::vector<double> rates;
  for (int r = 0; r < reps; ++r) {
    auto c0 = thread_cpu_seconds();
    auto t0 = std::chrono::steady_clock::now();
    run();
    std::chrono::duration<double> wall = std::chrono::steady_clock::now() - t0;
    auto cpu = thread_cpu_seconds() - c0;
    rates.push_back(static_cast<double>(n) / cpu);
    std::printf("  %-16s rep %d: %11.0f msgs/s per CPU-second, %11.0f msgs/s wall\n", name, r + 1,
                rates.back(), static_cast<double>(n) / wall.count());
    std::fflush(stdout);
  }
  return bench::median(std::move(rates));
}

// --- nlohmann::json: parse + get every field; dump an object ---------------

void nlohmann_decode(std::string_view payload, transaction& t) {
  auto j = nlohmann::json::parse(payload);
  t.transaction_id = j.at("transactionId").get<std::string>();
  j.at("userId").get_to(t.user_id);
  t.amount_cents = std::llround(j.at("amount").get<double>() * 100);
  t.event_time_ms = j.at("transactionTime").get<std::int64_t>();
  j.at("merchantId").get_to(t.merchant_id);
  const auto& type = j.at("transactionType").get_ref<const std::string&>();
  t.type = type == "refund" ? transaction_type::refund : transaction_type::purchase;
  j.at("location").get_to(t.location);
  const auto& m = j.at("paymentMethod").get_ref<const std::string&>();
  t.method = m == "credit_card"  ? payment_method::credit_card
             : m == "debit_card" ? payment_method::debit_card
             : m == "paypal"     ? payment_method::paypal
                                 : payment_method::bank_transfer;
  t.is_international = j.at("isInternational").get<bool>();
  j.at("currency").get_to(t.currency);
}

std::string nlohmann_encode(const transaction& t) {
  nlohmann::ordered_json j;
  j["transactionId"] = t.transaction_id.str();
  j["userId"] = t.user_id;
  j["amount"] = static_cast<double>(t.amount_cents) / 100;
  j["transactionTime"] = t.event_time_ms;
  j["merchantId"] = t.merchant_id;
  j["transactionType"] = to_string(t.type);
  j["location"] = t.location;
  j["paymentMethod"] = to_string(t.method);
  j["isInternational"] = t.is_international;
  j["currency"] = t.currency;
  return j.dump();
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 1'000'000;
  int reps = 3;
  int cpu = -1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--records") == 0)
      n = std::strtoull(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--reps") == 0)
      reps = std::max(1, std::atoi(argv[i + 1]));
    else if (std::strcmp(argv[i], "--cpu") == 0)
      cpu = std::atoi(argv[i + 1]);
  }
  if (cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof(set), &set) != 0)
      std::perror("sched_setaffinity");
  }
  std::printf("bench_codec: %zu distinct records, %d repetitions, median reported\n", n, reps);
  auto records = make_records(n);
  payloads in;
  for (const auto& t : records) {
    encode_json(t, in.bytes);
    in.ends.push_back(in.bytes.size());
  }
  std::printf("  average payload: %.1f bytes\n",
              static_cast<double>(in.bytes.size()) / static_cast<double>(n));

  // Both decoders must agree with the source records before we time them.
  transaction_decoder decoder;
  transaction t;
  for (std::size_t i = 0; i < n; i += std::max<std::size_t>(1, n / 1000)) {
    auto r = decoder.decode(in.at(i), t);
    transaction u;
    nlohmann_decode(in.at(i), u);
    if (!r.ok() || !(t == records[i]) || !(u == records[i])) {
      std::fprintf(stderr, "decode mismatch at %zu: %s\n", i, describe(r).c_str());
      return 1;
    }
  }

  auto decode = median_rate(
    n, reps,
    [&] {
      std::int64_t sum = 0;
      for (std::size_t i = 0; i < n; ++i) {
        if (!decoder.decode(in.at(i), t).ok())
          std::abort();
        sum += t.amount_cents;
      }
      keep(sum);
    },
    "codec decode");
  std::string buf;
  auto encode = median_rate(
    n, reps,
    [&] {
      std::size_t bytes = 0;
      for (const auto& x : records) {
        buf.clear();
        encode_json(x, buf);
        bytes += buf.size();
      }
      keep(bytes);
    },
    "codec encode");
  auto n_decode = median_rate(
    n, reps,
    [&] {
      std::int64_t sum = 0;
      for (std::size_t i = 0; i < n; ++i) {
        nlohmann_decode(in.at(i), t);
        sum += t.amount_cents;
      }
      keep(sum);
    },
    "nlohmann decode");
  auto n_encode = median_rate(
    n, reps,
    [&] {
      std::size_t bytes = 0;
      for (const auto& x : records)
        bytes += nlohmann_encode(x).size();
      keep(bytes);
    },
    "nlohmann encode");

  std::printf("ratios: decode %.1fx nlohmann, encode %.1fx nlohmann\n", decode / n_decode,
              encode / n_encode);
  std::printf("codec decode=%.0f encode=%.0f nlohmann_decode=%.0f nlohmann_encode=%.0f\n", decode,
              encode, n_decode, n_encode);
  return 0;
}
