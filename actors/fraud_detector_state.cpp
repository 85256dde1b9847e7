#include "actors/fraud_detector_state.hpp"

#include <algorithm>
#include <functional>

#include "actors/city_table.hpp"

namespace txstream {

fraud_detector_state::fraud_detector_state(const fraud_rules_config& cfg, hash_function hash)
  : cfg_(cfg), hash_(hash) {
  cfg_.max_history_per_user = std::max<std::size_t>(1, cfg_.max_history_per_user);
}

std::uint64_t fraud_detector_state::default_hash(std::string_view user_id) {
  return absl::Hash<std::string_view>{}(user_id);
}

fraud_detector_state::user_slot& fraud_detector_state::slot_for(std::string_view user_id,
                                                                std::uint64_t hash,
                                                                std::int64_t event_time_ms) {
  // One probe finds the user or claims the hash for a new one.
  constexpr auto unclaimed = ~std::uint32_t{0};
  auto [it, claimed] = index_of(hash).try_emplace(hash, unclaimed);
  auto collided = collided_.end();
  if (claimed || !slot(it->second).user_id.equals(user_id)) {
    // A user whose hash another one held lives in collided_ (if claimed,
    // that other user has been evicted since).
    if (!collided_.empty())
      collided = collided_.find(std::string{user_id});
    if (collided == collided_.end()) {
      auto id = new_slot(user_id, event_time_ms);
      if (claimed)
        it->second = id;
      else
        collided_.emplace(std::string{user_id}, id);
      return slot(id);
    }
  }
  auto id = it->second;
  if (collided != collided_.end()) {
    id = collided->second;
    if (claimed) {  // the index is free for it again
      it->second = id;
      collided_.erase(collided);
    }
  }
  auto& slot = this->slot(id);
  slot.history.last_seen_ms = std::max(slot.history.last_seen_ms, event_time_ms);
  return slot;
}

std::uint32_t fraud_detector_state::new_slot(std::string_view user_id, std::int64_t event_time_ms) {
  std::uint32_t id = 0;
  if (free_slots_.empty()) {
    id = slot_count_++;
    if (id / slots_per_chunk == chunks_.size())
      chunks_.push_back(std::make_unique<user_slot[]>(slots_per_chunk));
  } else {
    id = free_slots_.back();
    free_slots_.pop_back();
  }
  auto& slot = this->slot(id);
  slot.user_id.assign(user_id);
  slot.history.last_seen_ms = event_time_ms;
  idle_.push(event_time_ms, id);
  return id;
}

void fraud_detector_state::forget(std::uint32_t id) {
  char scratch[36];
  const auto user_id = slot(id).user_id.view(scratch);
  const auto hash = hash_(user_id);
  auto& part = index_of(hash);
  if (auto it = part.find(hash); it != part.end() && it->second == id)
    part.erase(it);
  else
    collided_.erase(std::string{user_id});
}

void fraud_detector_state::process_batch(const std::vector<transaction>& txns, std::int64_t now_ms,
                                         std::vector<anomaly>& out) {
  // Far enough ahead to hide a memory access, near enough to stay cached.
  constexpr std::size_t ahead = 8;
  // Each id is hashed once: for the prefetch, then for the lookup.
  const auto n = txns.size();
  hashes_.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    hashes_[i] = hash_(txns[i].user_id);
  for (std::size_t i = 0; i < std::min(ahead, n); ++i)
    index_of(hashes_[i]).prefetch(hashes_[i]);
  for (std::size_t i = 0; i < n; ++i) {
    if (i + ahead < n)
      index_of(hashes_[i + ahead]).prefetch(hashes_[i + ahead]);
    process_hashed(txns[i], hashes_[i], now_ms, out);
  }
}

void fraud_detector_state::process(const transaction& t, std::int64_t now_ms,
                                   std::vector<anomaly>& out) {
  process_hashed(t, hash_(t.user_id), now_ms, out);
}

void fraud_detector_state::process_hashed(const transaction& t, std::uint64_t user_hash,
                                          std::int64_t now_ms, std::vector<anomaly>& out) {
  auto& h = slot_for(t.user_id, user_hash, t.event_time_ms).history;
  trim(h);
  auto& cur = h.recent.emplace_back();
  cur.take_from(t);
  cur.usd_cents = to_usd_cents(t.amount_cents, t.currency);
  // The table has a few hundred cities at most (a unit test checks).
  cur.city = static_cast<std::int16_t>(find_city(t.location));
  ++buffered_;
  const auto reported = out.size();
  run_rules(t, h, now_ms, out);
  if (t.source.offset < replay_until_)
    out.erase(out.begin() + static_cast<std::ptrdiff_t>(reported), out.end());
  max_event_time_ = std::max(max_event_time_, t.event_time_ms);
  evict_idle(max_event_time_ - cfg_.eviction_slack_ms);
}

void fraud_detector_state::run_rules(const transaction& t, user_history& h, std::int64_t now_ms,
                                     std::vector<anomaly>& out) {
  const auto& cur = h.recent.back();
  auto spiked = false;
  auto run = [&](fraud_scenario rule, bool enabled, std::int32_t version, std::int64_t cooldown_ms,
                 auto&& check) {
    auto index = static_cast<std::size_t>(rule);
    if (!enabled || cur.event_time_ms < h.cooldowns.until(index))
      return false;
    auto& a = candidate_;
    if (!check(a))
      return false;
    a.rule_id = std::string{to_string(rule)};
    a.rule_version = version;
    a.user_id = t.user_id;
    a.event_time_ms = cur.event_time_ms;
    a.detected_at_ms = now_ms;
    out.push_back(std::move(a));
    a = anomaly{};
    h.cooldowns.set(index, cur.event_time_ms + cooldown_ms);
    return true;
  };
  const auto& hf = cfg_.high_frequency;
  run(fraud_scenario::high_frequency, hf.enabled, hf.version, hf.cooldown_ms,
      [&](anomaly& a) { return check_high_frequency(hf, h, a); });
  const auto& ct = cfg_.card_testing;
  run(fraud_scenario::card_testing, ct.enabled, ct.version, ct.cooldown_ms,
      [&](anomaly& a) { return check_card_testing(ct, h, a); });
  const auto& as = cfg_.amount_spike;
  spiked = run(fraud_scenario::amount_spike, as.enabled, as.version, as.cooldown_ms,
               [&](anomaly& a) { return check_amount_spike(as, h, a); });
  const auto& it = cfg_.impossible_travel;
  run(fraud_scenario::impossible_travel, it.enabled, it.version, it.cooldown_ms,
      [&](anomaly& a) { return check_impossible_travel(it, h, a); });
  const auto& ih = cfg_.international_high;
  run(fraud_scenario::international_high, ih.enabled, ih.version, ih.cooldown_ms,
      [&](anomaly& a) { return check_international_high(ih, h, a); });
  const auto& ra = cfg_.refund_abuse;
  run(fraud_scenario::refund_abuse, ra.enabled, ra.version, ra.cooldown_ms,
      [&](anomaly& a) { return check_refund_abuse(ra, h, a); });
  // A flagged spike must not teach the baseline that spikes are normal.
  if (!spiked)
    update_amount_baseline(as, h);
  if (is_card_payment(cur.method()) && cur.city >= 0)
    h.newest_is_last_card();
}

void fraud_detector_state::trim(user_history& h) {
  auto horizon = h.last_seen_ms - cfg_.retention_ms();
  auto keep = std::find_if(h.recent.begin(), h.recent.end(),
                           [&](const recent_txn& t) { return t.event_time_ms > horizon; });
  auto drop = static_cast<std::size_t>(keep - h.recent.begin());
  // Leave room for the transaction about to be appended.
  if (h.recent.size() - drop >= cfg_.max_history_per_user)
    drop = h.recent.size() + 1 - cfg_.max_history_per_user;
  h.drop_oldest(drop);
  buffered_ -= drop;
}

std::size_t fraud_detector_state::evict_idle(std::int64_t watermark_ms) {
  auto horizon = watermark_ms - cfg_.retention_ms();
  std::size_t evicted = 0;
  while (!idle_.empty() && idle_.top().time_ms < horizon) {
    auto id = idle_.top().slot;
    idle_.pop();
    auto& slot = this->slot(id);
    if (slot.history.last_seen_ms >= horizon) {
      // Active since it was queued: check again at its newest event time.
      idle_.push(slot.history.last_seen_ms, id);
      continue;
    }
    buffered_ -= slot.history.recent.size();
    forget(id);
    slot.history.reset();  // keeps the capacity for the slot's next user
    free_slots_.push_back(id);
    ++evicted;
  }
  return evicted;
}

}  // namespace txstream
