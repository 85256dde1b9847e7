// Labels of the fraud scenarios, and the generator's scenario plans: each
// plan picks a victim and schedules the instance's transactions.
#include "actors/fraud_scenarios.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "actors/city_table.hpp"
#include "actors/generator_state.hpp"

namespace txstream {

std::string_view to_string(fraud_scenario x) {
  switch (x) {
    case fraud_scenario::high_frequency: return "high_frequency";
    case fraud_scenario::card_testing: return "card_testing";
    case fraud_scenario::amount_spike: return "amount_spike";
    case fraud_scenario::impossible_travel: return "impossible_travel";
    case fraud_scenario::international_high: return "international_high";
    case fraud_scenario::refund_abuse: return "refund_abuse";
  }
  return "?";
}

std::optional<fraud_scenario> parse_fraud_scenario(std::string_view name) {
  for (auto x : all_fraud_scenarios)
    if (to_string(x) == name)
      return x;
  return std::nullopt;
}

std::string make_fraud_label(fraud_scenario x, std::uint64_t instance) {
  auto result = std::string{to_string(x)};
  result += ':';
  result += std::to_string(instance);
  return result;
}

std::optional<fraud_label> parse_fraud_label(std::string_view label) {
  auto colon = label.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == label.size())
    return std::nullopt;
  fraud_label result;
  result.scenario = label.substr(0, colon);
  auto digits = label.substr(colon + 1);
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), result.instance);
  if (ec != std::errc{} || ptr != digits.data() + digits.size())
    return std::nullopt;
  return result;
}

// -- scenario plans -----------------------------------------------------------

namespace {

constexpr std::int64_t second_ms = 1000;
constexpr std::int64_t minute_ms = 60 * second_ms;

// A victim takes part in one instance at a time, and not again until its
// rules' cooldowns and windows have passed, so instances stay separable.
constexpr std::int64_t victim_rest_ms = 2 * 60 * minute_ms;

std::int64_t ms(double x) {
  return static_cast<std::int64_t>(std::llround(x));
}

// Greater-first on the rest's end: std::*_heap then keep the earliest on top.
bool ends_later(const std::pair<std::int64_t, std::uint64_t>& a,
                const std::pair<std::int64_t, std::uint64_t>& b) {
  return a.first > b.first;
}

}  // namespace

// Every plan fits in max_scenario_duration_ms and, but for the
// high_frequency burst, spaces its transactions min_scenario_spacing_ms or
// more apart: short enough that a bounded run can finish what it started,
// sparse enough that only the scenario's own rule fires.
void generator_state::start_scenario(std::int64_t now_ms) {
  auto kind = all_fraud_scenarios[rng_.below(fraud_scenario_count)];
  const auto count = static_cast<int>(scenario_transactions(kind));
  auto label = make_fraud_label(kind, ++instances_);
  auto user = pick_victim(now_ms);
  const auto p = profile(user);
  const std::size_t home = p.home_city;
  auto purchase = transaction_type::purchase;
  auto spaced = [this] { return ms(rng_.uniform(min_scenario_spacing_ms, 15 * second_ms)); };
  auto due = now_ms;
  switch (kind) {
    case fraud_scenario::high_frequency: {
      // A burst of ordinary purchases 3-4.5 s apart (12 within 50 s).
      for (int i = 0; i < count; ++i) {
        if (i > 0)
          due += ms(rng_.uniform(3 * second_ms, 4.5 * second_ms));
        schedule(due,
                 make_txn(user, home, home, draw_usd_amount(p), purchase, draw_method(), false),
                 label);
      }
      break;
    }
    case fraud_scenario::card_testing: {
      // Card-not-present probes of $0.50-$1.90 at one merchant, 12-15 s apart.
      auto merchant = merchant_id(draw_merchant());
      for (int i = 0; i < count; ++i) {
        if (i > 0)
          due += spaced();
        auto t = make_txn(user, home, home, ms(rng_.uniform(50, 190)), purchase,
                          payment_method::credit_card, false);
        t.merchant_id = merchant;
        schedule(due, std::move(t), label);
      }
      break;
    }
    case fraud_scenario::amount_spike: {
      // Ordinary purchases (>= $6) 12-15 s apart establish the baseline,
      // then one purchase of 50-80x the user's median amount (>= $400).
      for (int i = 0; i + 1 < count; ++i) {
        if (i > 0)
          due += spaced();
        auto usd = std::max<std::int64_t>(draw_usd_amount(p), 600);
        schedule(due, make_txn(user, home, home, usd, purchase, draw_method(), false), label);
      }
      due += ms(rng_.uniform(min_scenario_spacing_ms, 20 * second_ms));
      auto spike = std::max<std::int64_t>(ms(std::exp(p.log_median_usd) * rng_.uniform(50, 80)),
                                          40'000);
      schedule(due,
               make_txn(user, home, home, std::min<std::int64_t>(spike, 5'000'000), purchase,
                        draw_card_method(), false),
               label);
      break;
    }
    case fraud_scenario::impossible_travel: {
      // A card purchase at home, then one >= 3000 km away 1-2 min later.
      schedule(due,
               make_txn(user, home, home, draw_usd_amount(p), purchase, draw_card_method(), false),
               label);
      auto far = draw_far_city(home, 3000);
      due += ms(rng_.uniform(minute_ms, max_scenario_duration_ms));
      schedule(due,
               make_txn(user, home, far, draw_usd_amount(p), purchase, draw_card_method(),
                        rng_.chance(0.5)),
               label);
      break;
    }
    case fraud_scenario::international_high: {
      // One remote purchase of $2500-$8000 from a foreign merchant.
      auto city = draw_foreign_city(home);
      schedule(due,
               make_txn(user, home, city, ms(rng_.uniform(250'000, 800'000)), purchase,
                        draw_remote_method(), rng_.chance(0.5)),
               label);
      break;
    }
    case fraud_scenario::refund_abuse: {
      // Refunds of ordinary amounts, 12-15 s apart.
      for (int i = 0; i < count; ++i) {
        if (i > 0)
          due += spaced();
        schedule(due,
                 make_txn(user, home, home, draw_usd_amount(p), transaction_type::refund,
                          draw_method(), false),
                 label);
      }
      break;
    }
  }
  rest(user, due + victim_rest_ms);
}

std::uint64_t generator_state::pick_victim(std::int64_t now_ms) {
  // Forget the victims whose rest is over: only resting ones take memory.
  while (!rest_ends_.empty() && rest_ends_.front().first <= now_ms) {
    auto user = rest_ends_.front().second;
    std::pop_heap(rest_ends_.begin(), rest_ends_.end(), ends_later);
    rest_ends_.pop_back();
    auto it = busy_until_.find(user);
    if (it != busy_until_.end() && it->second <= now_ms)
      busy_until_.erase(it);
  }
  auto user = rng_.below(cfg_.users);
  for (int attempt = 0; attempt < 64 && busy_until_.count(user) != 0; ++attempt)
    user = rng_.below(cfg_.users);
  return user;
}

void generator_state::rest(std::uint64_t user, std::int64_t until_ms) {
  auto& until = busy_until_[user];
  until = std::max(until, until_ms);
  rest_ends_.emplace_back(until_ms, user);
  std::push_heap(rest_ends_.begin(), rest_ends_.end(), ends_later);
}

void generator_state::schedule(std::int64_t due_ms, transaction txn, const std::string& label) {
  queue_.push_back(scheduled{due_ms, seq_++, {std::move(txn), label}});
  std::push_heap(queue_.begin(), queue_.end(), later{});
}

}  // namespace txstream
