// Settings of the transaction generator's pure logic (actors/generator_state).
#pragma once

#include <cstdint>

namespace txstream {

/// What the generator synthesises. All money is in US dollar cents; the
/// generator converts to each transaction's currency with the city table's
/// reference rates.
///
/// The fraud rules assume human-scale per-user activity (a few transactions
/// per hour). The per-user rate is the caller's record rate divided by
/// `users`, so raise `users` together with the rate (e.g. 10 tx/s for the
/// default 10000 users is 3.6 transactions per user and hour).
struct generator_config {
  /// Seed of the PRNG; the same seed and the same `now_ms` sequence give the
  /// same records on every platform.
  std::uint64_t seed = 42;

  /// Number of distinct users (`user_000000` ...), picked uniformly.
  std::uint32_t users = 10000;

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

} // namespace txstream
