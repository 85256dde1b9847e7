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
    case fraud_scenario::high_frequency:
      return "high_frequency";
    case fraud_scenario::card_testing:
      return "card_testing";
    case fraud_scenario::amount_spike:
      return "amount_spike";
    case fraud_scenario::impossible_travel:
      return "impossible_travel";
    case fraud_scenario::international_high:
      return "international_high";
    case fraud_scenario::refund_abuse:
      return "refund_abuse";
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
  if (colon == std::string_view::npos || colon == 0
      || colon + 1 == label.size())
    return std::nullopt;
  fraud_label result;
  result.scenario = label.substr(0, colon);
  auto digits = label.substr(colon + 1);
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(),
                                   result.instance);
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

} // namespace

void generator_state::start_scenario(std::int64_t now_ms) {
  auto kind = all_fraud_scenarios[rng_.below(fraud_scenario_count)];
  auto label = make_fraud_label(kind, ++instances_);
  auto user = pick_victim(now_ms);
  const auto& p = users_[user];
  std::size_t home = p.home_city;
  auto purchase = transaction_type::purchase;
  auto last_due = now_ms;
  switch (kind) {
    case fraud_scenario::high_frequency: {
      // A burst of 12 ordinary purchases within 50 s.
      for (int i = 0; i < 12; ++i) {
        last_due = now_ms + ms(i * rng_.uniform(3000, 4500));
        schedule(last_due,
                 make_txn(user, home, draw_usd_amount(p), purchase,
                          draw_method(), false),
                 label);
      }
      break;
    }
    case fraud_scenario::card_testing: {
      // 8 card-not-present probes of $0.50-$1.90 at one merchant, ~30 s apart.
      auto merchant = merchant_id(draw_merchant());
      for (int i = 0; i < 8; ++i) {
        last_due = now_ms + ms(i * rng_.uniform(30'000, 38'000));
        auto t = make_txn(user, home, ms(rng_.uniform(50, 190)), purchase,
                          payment_method::credit_card, false);
        t.merchant_id = merchant;
        schedule(last_due, std::move(t), label);
      }
      break;
    }
    case fraud_scenario::amount_spike: {
      // Six ordinary purchases establish the baseline, then one purchase of
      // 50-80x the user's median amount (at least $400).
      std::int64_t due = now_ms;
      for (int i = 0; i < 6; ++i) {
        auto usd = std::max<std::int64_t>(draw_usd_amount(p), 600);
        schedule(due, make_txn(user, home, usd, purchase, draw_method(), false),
                 label);
        due += ms(rng_.uniform(2 * minute_ms, 4 * minute_ms));
      }
      last_due = due + ms(rng_.uniform(0, 6 * minute_ms));
      auto spike = std::max<std::int64_t>(
        ms(std::exp(p.log_median_usd) * rng_.uniform(50, 80)), 40'000);
      schedule(last_due,
               make_txn(user, home, std::min<std::int64_t>(spike, 5'000'000),
                        purchase, draw_card_method(), false),
               label);
      break;
    }
    case fraud_scenario::impossible_travel: {
      // A card purchase at home, then one >= 3000 km away within 5-25 min.
      schedule(now_ms,
               make_txn(user, home, draw_usd_amount(p), purchase,
                        draw_card_method(), false),
               label);
      auto far = draw_far_city(home, 3000);
      last_due = now_ms + ms(rng_.uniform(5 * minute_ms, 25 * minute_ms));
      schedule(last_due,
               make_txn(user, far, draw_usd_amount(p), purchase,
                        draw_card_method(), rng_.chance(0.5)),
               label);
      break;
    }
    case fraud_scenario::international_high: {
      // One remote purchase of $2500-$8000 from a foreign merchant.
      auto city = draw_foreign_city(home);
      schedule(now_ms,
               make_txn(user, city, ms(rng_.uniform(250'000, 800'000)),
                        purchase, draw_remote_method(), rng_.chance(0.5)),
               label);
      break;
    }
    case fraud_scenario::refund_abuse: {
      // Seven refunds of ordinary amounts, 3-6 minutes apart.
      for (int i = 0; i < 7; ++i) {
        last_due = now_ms + ms(i * rng_.uniform(3 * minute_ms, 6 * minute_ms));
        schedule(last_due,
                 make_txn(user, home, draw_usd_amount(p),
                          transaction_type::refund, draw_method(), false),
                 label);
      }
      break;
    }
  }
  users_[user].busy_until_ms = last_due + victim_rest_ms;
}

std::uint32_t generator_state::pick_victim(std::int64_t now_ms) {
  auto user = static_cast<std::uint32_t>(rng_.below(cfg_.users));
  for (int attempt = 0; attempt < 64 && users_[user].busy_until_ms > now_ms;
       ++attempt)
    user = static_cast<std::uint32_t>(rng_.below(cfg_.users));
  return user;
}

void generator_state::schedule(std::int64_t due_ms, transaction txn,
                               const std::string& label) {
  queue_.push_back(scheduled{due_ms, seq_++, {std::move(txn), label}});
  std::push_heap(queue_.begin(), queue_.end(), later{});
}

} // namespace txstream
