// Settings of the transaction generator's pure logic (actors/generator_state).
#pragma once

#include <cstdint>

namespace txstream {

/// Users per record per second of event time at a human pace: each user
/// then makes 3.6 transactions an hour (one every 1000 s on average), the
/// pace the fraud rules' thresholds are tuned for (docs/fraud-rules.md).
inline constexpr std::uint64_t human_pace_users_per_rate = 1000;

/// Most users a generator takes: the pace of the largest `--rate`
/// (10 digits) fits, and ids stay short (13 digits).
inline constexpr std::uint64_t max_generator_users = 10'000'000'000'000ULL;

/// The number of users that keeps ordinary users at a human pace when
/// records are stamped `records_per_second` apart in event time.
inline constexpr std::uint64_t human_pace_users(std::uint64_t records_per_second) {
  return records_per_second >= max_generator_users / human_pace_users_per_rate ? max_generator_users
         : records_per_second < 1 ? human_pace_users_per_rate
                                  : records_per_second * human_pace_users_per_rate;
}

/// What the generator synthesises. All money is in US dollar cents; the
/// generator converts to each transaction's currency with the city table's
/// reference rates.
///
/// The fraud rules assume human-scale per-user activity (a few transactions
/// per hour). The per-user rate is the caller's record rate divided by
/// `users`, so raise `users` together with the rate: human_pace_users()
/// (e.g. 10 tx/s for the default 10000 users is 3.6 transactions per user
/// and hour).
struct generator_config {
  /// Seed of the PRNG; the same seed and the same `now_ms` sequence give the
  /// same records on every platform.
  std::uint64_t seed = 42;

  /// Number of distinct users (`user_000000` ...), picked uniformly; at most
  /// max_generator_users. They cost no memory (profiles are derived on
  /// demand), only the fraud victims resting after an instance do.
  std::uint64_t users = human_pace_users(10);

  /// Number of distinct merchants (`merchant_0000` ...), Zipf-skewed.
  std::uint32_t merchants = 1000;

  /// Zipf exponent of merchant popularity: rank r has weight 1 / r^s.
  double merchant_zipf_exponent = 1.1;

  /// Median purchase amount over all users, in USD cents.
  std::int64_t median_amount_cents = 4000;

  /// Spread (sigma of the log) of users' own median amounts around the
  /// global median; truncated at +-2.5 sigma.
  double user_amount_sigma = 0.8;

  /// Spread (sigma of the log) of one user's amounts around their median;
  /// truncated at +-3.2 sigma so ordinary spending stays below 6x a user's
  /// median (real issuers decline far larger outliers for review anyway).
  double txn_amount_sigma = 0.55;

  /// Hard cap of any normal amount, in USD cents.
  std::int64_t max_amount_cents = 1000000;

  /// Fraction of normal records that are refunds.
  double refund_rate = 0.07;

  /// Fraction of normal records that are international: a remote
  /// (paypal / bank transfer) purchase located in a city of another country.
  double international_rate = 0.03;

  /// Fraction of records that start a fraud scenario instance.
  double fraud_rate = 0.002;
};

}  // namespace txstream
