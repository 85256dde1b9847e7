// Pure logic of the transaction generator: realistic normal traffic plus
// injected, labelled fraud scenarios, deterministic for a seed.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "config/generator_config.hpp"
#include "messages/transaction.hpp"

namespace txstream {

/// xoshiro256** seeded through splitmix64, with hand-written distributions:
/// std:: distributions differ between standard libraries, this does not.
class generator_rng {
public:
  explicit generator_rng(std::uint64_t seed);

  std::uint64_t next();

  /// Uniform in [0, 1) with 53 random bits.
  double uniform();

  /// Uniform in [lo, hi).
  double uniform(double lo, double hi) {
    return lo + (hi - lo) * uniform();
  }

  /// Uniform integer in [0, n), n > 0, without modulo bias.
  std::uint64_t below(std::uint64_t n);

  /// True with probability p.
  bool chance(double p) {
    return uniform() < p;
  }

  /// Standard normal (Box-Muller).
  double normal();

  /// Standard normal conditioned on |x| <= limit (rejection).
  double truncated_normal(double limit);

private:
  std::array<std::uint64_t, 4> s_;
};

/// One generated record: the transaction (its Kafka key is txn.user_id) and
/// its ground-truth label, "" for normal traffic, else "<scenario>:<instance>".
struct generated_record {
  transaction txn;
  std::string fraud_label;
};

/// Generates one record per call; the caller supplies the event time.
class generator_state {
public:
  /// What makes a user's ordinary spending theirs. Derived from (seed, user
  /// index) whenever needed, never stored: users cost no memory, so a
  /// human pace stays affordable at any record rate.
  struct user_profile {
    std::uint16_t home_city = 0;
    double log_median_usd = 0;  // log of the user's median amount, USD cents
  };

  explicit generator_state(const generator_config& cfg);

  /// The next record, with event time `now_ms` (wall clock when producing
  /// live, or a virtual clock for reproducible runs). Scheduled scenario
  /// transactions are emitted once `now_ms` reaches their due time, one per
  /// call, interleaved with normal traffic. The reference stays valid until
  /// the next call.
  const generated_record& next(std::int64_t now_ms);

  /// Records returned so far.
  std::uint64_t generated() const {
    return generated_;
  }

  /// Scenario instances started so far (the last label's instance number).
  std::uint64_t scenario_instances() const {
    return instances_;
  }

  /// Scenario transactions scheduled but not yet emitted.
  std::size_t pending() const {
    return queue_.size();
  }

  /// Due time of the earliest scheduled scenario transaction, if any.
  std::optional<std::int64_t> next_due_ms() const;

  /// Due time of the latest scheduled scenario transaction, if any.
  std::optional<std::int64_t> last_due_ms() const;

  /// Started instances with transactions still scheduled.
  std::size_t unfinished_instances() const;

  /// The earliest scheduled scenario transaction if it is due at `now_ms`,
  /// with that event time, and no normal traffic: for finishing started
  /// instances. nullptr when none is due. Valid until the next call.
  const generated_record* next_scheduled(std::int64_t now_ms);

  /// The profile of user `index` (< config().users); the same for a seed on
  /// every platform, whatever the number of users.
  user_profile profile(std::uint64_t index) const;

  /// Fraud victims still resting after their instance (kept until the rest
  /// is over, then forgotten).
  std::size_t resting_victims() const {
    return busy_until_.size();
  }

  const generator_config& config() const {
    return cfg_;
  }

  /// Changes the fraud rate from the next record on; 0 stops new instances,
  /// so that calling next() until pending() is 0 completes every instance.
  void set_fraud_rate(double rate) {
    cfg_.fraud_rate = rate;
  }

  /// Formats `user_000042` (at least six digits).
  std::string user_id(std::uint64_t index) const;

  /// Formats `merchant_0007` (at least four digits).
  std::string merchant_id(std::uint32_t index) const;

private:
  struct scheduled {
    std::int64_t due_ms;
    std::uint64_t seq;  // FIFO among equal due times, for determinism
    generated_record rec;
  };

  struct later {
    bool operator()(const scheduled& a, const scheduled& b) const {
      return a.due_ms != b.due_ms ? a.due_ms > b.due_ms : a.seq > b.seq;
    }
  };

  // Normal traffic (generator_state.cpp).
  void fill_normal(generated_record& rec);
  transaction make_txn(std::uint64_t user, std::size_t home_city, std::size_t city_index,
                       std::int64_t usd_cents, transaction_type type, payment_method method,
                       bool foreign_currency);
  std::int64_t draw_usd_amount(const user_profile& p);
  std::uint32_t draw_merchant();
  std::string draw_uuid();
  payment_method draw_method();
  payment_method draw_card_method();
  payment_method draw_remote_method();
  std::size_t draw_foreign_city(std::size_t home);
  std::size_t draw_far_city(std::size_t from, double min_km);

  // Fraud scenarios (fraud_scenarios.cpp).
  void start_scenario(std::int64_t now_ms);
  std::uint64_t pick_victim(std::int64_t now_ms);
  void rest(std::uint64_t user, std::int64_t until_ms);
  void schedule(std::int64_t due_ms, transaction txn, const std::string& label);
  void pop_scheduled();

  generator_config cfg_;
  generator_rng rng_;
  // Victims whose rest has not ended, and the ends in a min-heap (end, user)
  // that forgets them once it passes.
  std::unordered_map<std::uint64_t, std::int64_t> busy_until_;
  std::vector<std::pair<std::int64_t, std::uint64_t>> rest_ends_;
  std::vector<double> merchant_cdf_;
  int user_digits_ = 6;
  int merchant_digits_ = 4;
  std::vector<scheduled> queue_;  // a min-heap on (due_ms, seq)
  std::uint64_t seq_ = 0;
  std::uint64_t generated_ = 0;
  std::uint64_t instances_ = 0;
  generated_record current_;
};

}  // namespace txstream
