#include "actors/generator_state.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <unordered_set>

#include "actors/city_table.hpp"

namespace txstream {

namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

int digits(std::uint64_t n) {
  int d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

constexpr double two_pi = 6.28318530717958647692;

}  // namespace

// -- generator_rng ------------------------------------------------------------

generator_rng::generator_rng(std::uint64_t seed) {
  for (auto& word : s_)
    word = splitmix64(seed);
}

std::uint64_t generator_rng::next() {
  auto result = rotl(s_[1] * 5, 7) * 9;
  auto t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double generator_rng::uniform() {
  return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

std::uint64_t generator_rng::below(std::uint64_t n) {
  // Reject the top partial bucket so every residue is equally likely.
  auto limit = (~std::uint64_t{0}) - (~std::uint64_t{0}) % n;
  for (;;) {
    auto x = next();
    if (x < limit)
      return x % n;
  }
}

double generator_rng::normal() {
  auto u1 = 1.0 - uniform();  // (0, 1]: log stays finite
  auto u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(two_pi * u2);
}

double generator_rng::truncated_normal(double limit) {
  for (;;) {
    auto x = normal();
    if (std::fabs(x) <= limit)
      return x;
  }
}

// -- generator_state ----------------------------------------------------------

generator_state::generator_state(const generator_config& cfg) : cfg_(cfg), rng_(cfg.seed) {
  cfg_.users = std::clamp<std::uint64_t>(cfg_.users, 1, max_generator_users);
  cfg_.merchants = std::max<std::uint32_t>(1, cfg_.merchants);
  user_digits_ = std::max(6, digits(cfg_.users - 1));
  merchant_digits_ = std::max(4, digits(cfg_.merchants - 1));
  // Zipf: rank r (1-based) has weight r^-s; draws binary-search this CDF.
  merchant_cdf_.resize(cfg_.merchants);
  double sum = 0;
  for (std::uint32_t r = 0; r < cfg_.merchants; ++r) {
    sum += std::pow(static_cast<double>(r + 1), -cfg_.merchant_zipf_exponent);
    merchant_cdf_[r] = sum;
  }
  for (auto& c : merchant_cdf_)
    c /= sum;
}

generator_state::user_profile generator_state::profile(std::uint64_t index) const {
  // A stream of its own per (seed, user): splitmix64 mixes the pair, and
  // generator_rng's seeding spreads it over the whole state. Nothing here
  // touches rng_, so a user's profile never depends on what came before.
  std::uint64_t seed = cfg_.seed ^ 0x243f6a8885a308d3ULL;  // apart from rng_'s
  std::uint64_t user = splitmix64(seed) ^ index;
  generator_rng rng{splitmix64(user)};
  user_profile p;
  p.home_city = static_cast<std::uint16_t>(rng.below(city_count()));
  p.log_median_usd = std::log(static_cast<double>(cfg_.median_amount_cents))
                     + cfg_.user_amount_sigma * rng.truncated_normal(2.5);
  return p;
}

const generated_record& generator_state::next(std::int64_t now_ms) {
  if (rng_.chance(cfg_.fraud_rate))
    start_scenario(now_ms);
  if (!queue_.empty() && queue_.front().due_ms <= now_ms)
    pop_scheduled();
  else
    fill_normal(current_);
  current_.txn.event_time_ms = now_ms;
  ++generated_;
  return current_;
}

const generated_record* generator_state::next_scheduled(std::int64_t now_ms) {
  if (queue_.empty() || queue_.front().due_ms > now_ms)
    return nullptr;
  pop_scheduled();
  current_.txn.event_time_ms = now_ms;
  ++generated_;
  return &current_;
}

void generator_state::pop_scheduled() {
  std::pop_heap(queue_.begin(), queue_.end(), later{});
  current_ = std::move(queue_.back().rec);
  queue_.pop_back();
}

std::optional<std::int64_t> generator_state::next_due_ms() const {
  if (queue_.empty())
    return std::nullopt;
  return queue_.front().due_ms;
}

std::optional<std::int64_t> generator_state::last_due_ms() const {
  if (queue_.empty())
    return std::nullopt;
  auto last = std::max_element(
    queue_.begin(), queue_.end(),
    [](const scheduled& a, const scheduled& b) { return a.due_ms < b.due_ms; });
  return last->due_ms;
}

std::size_t generator_state::unfinished_instances() const {
  std::unordered_set<std::string_view> labels;
  for (const auto& s : queue_)
    labels.insert(s.rec.fraud_label);
  return labels.size();
}

namespace {

// "<prefix><index, zero-padded to `width` digits>", as "%0*u" would print
// it; by hand because snprintf was a tenth of the generator's time.
std::string padded_id(std::string_view prefix, std::uint64_t index, int width) {
  char digits[20];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + index % 10);
    index /= 10;
  } while (index > 0);
  std::string out;
  out.reserve(prefix.size() + static_cast<std::size_t>(std::max(width, n)));
  out.append(prefix);
  out.append(static_cast<std::size_t>(std::max(0, width - n)), '0');
  while (n > 0)
    out.push_back(digits[--n]);
  return out;
}

// Lower-case hex digits of the low `count` nibbles of `v`, most significant first.
char* put_hex(char* at, std::uint64_t v, int count) {
  static constexpr char hex[] = "0123456789abcdef";
  for (int i = count - 1; i >= 0; --i)
    *at++ = hex[(v >> (4 * i)) & 0xf];
  return at;
}

}  // namespace

std::string generator_state::user_id(std::uint64_t index) const {
  return padded_id("user_", index, user_digits_);
}

std::string generator_state::merchant_id(std::uint32_t index) const {
  return padded_id("merchant_", index, merchant_digits_);
}

void generator_state::fill_normal(generated_record& rec) {
  auto user = rng_.below(cfg_.users);
  const auto p = profile(user);
  auto type = rng_.chance(cfg_.refund_rate) ? transaction_type::refund : transaction_type::purchase;
  auto usd = draw_usd_amount(p);
  if (rng_.chance(cfg_.international_rate)) {
    // Cross-border e-commerce: located at the foreign merchant, paid remotely.
    auto city = draw_foreign_city(p.home_city);
    auto method = draw_remote_method();
    rec.txn = make_txn(user, p.home_city, city, usd, type, method, rng_.chance(0.5));
  } else {
    rec.txn = make_txn(user, p.home_city, p.home_city, usd, type, draw_method(), false);
  }
  rec.fraud_label.clear();
}

transaction generator_state::make_txn(std::uint64_t user, std::size_t home_city,
                                      std::size_t city_index, std::int64_t usd_cents,
                                      transaction_type type, payment_method method,
                                      bool foreign_currency) {
  const auto& home = city_at(home_city);
  const auto& where = city_at(city_index);
  transaction t;
  t.transaction_id = draw_uuid();
  t.user_id = user_id(user);
  t.merchant_id = merchant_id(draw_merchant());
  t.location = std::string{where.name};
  t.is_international = where.country != home.country;
  auto currency = foreign_currency ? where.currency : home.currency;
  t.currency = std::string{currency};
  t.amount_cents = from_usd_cents(usd_cents, currency);
  t.type = type;
  t.method = method;
  return t;
}

std::int64_t generator_state::draw_usd_amount(const user_profile& p) {
  auto log_amount = p.log_median_usd + cfg_.txn_amount_sigma * rng_.truncated_normal(3.2);
  auto cents = std::llround(std::exp(log_amount));
  return std::clamp<std::int64_t>(cents, 1, cfg_.max_amount_cents);
}

std::uint32_t generator_state::draw_merchant() {
  auto u = rng_.uniform();
  auto it = std::upper_bound(merchant_cdf_.begin(), merchant_cdf_.end(), u);
  if (it == merchant_cdf_.end())
    --it;
  return static_cast<std::uint32_t>(it - merchant_cdf_.begin());
}

std::string generator_state::draw_uuid() {
  auto hi = rng_.next();
  auto lo = rng_.next();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  // 8-4-4-4-12 hex digits: hi's 64 bits, then lo's.
  char buf[36];
  auto* at = put_hex(buf, hi >> 32, 8);
  *at++ = '-';
  at = put_hex(at, hi >> 16, 4);
  *at++ = '-';
  at = put_hex(at, hi, 4);
  *at++ = '-';
  at = put_hex(at, lo >> 48, 4);
  *at++ = '-';
  put_hex(at, lo, 12);
  return std::string{buf, sizeof buf};
}

payment_method generator_state::draw_method() {
  auto u = rng_.uniform();
  if (u < 0.45)
    return payment_method::credit_card;
  if (u < 0.75)
    return payment_method::debit_card;
  if (u < 0.93)
    return payment_method::paypal;
  return payment_method::bank_transfer;
}

payment_method generator_state::draw_card_method() {
  return rng_.chance(0.6) ? payment_method::credit_card : payment_method::debit_card;
}

payment_method generator_state::draw_remote_method() {
  return rng_.chance(0.7) ? payment_method::paypal : payment_method::bank_transfer;
}

std::size_t generator_state::draw_foreign_city(std::size_t home) {
  const auto& country = city_at(home).country;
  for (;;) {
    auto c = rng_.below(city_count());
    if (city_at(c).country != country)
      return c;
  }
}

std::size_t generator_state::draw_far_city(std::size_t from, double min_km) {
  for (;;) {
    auto c = rng_.below(city_count());
    if (great_circle_km(city_at(from), city_at(c)) >= min_km)
      return c;
  }
}

}  // namespace txstream
