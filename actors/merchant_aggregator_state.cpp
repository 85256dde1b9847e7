#include "actors/merchant_aggregator_state.hpp"

#include <algorithm>
#include <cassert>
#include <cstdio>   // message before aborting on an overflow bug
#include <cstdlib>  // std::abort
#include <limits>
#include <utility>

#include <absl/hash/hash.h>

namespace txstream {

namespace {

// An int64 overflow of a sum means amounts beyond any real money slipped
// past validation: a bug, so stop rather than emit a wrong total.
[[noreturn]] void overflow_bug(const char* what) {
  std::fprintf(stderr, "txstream: int64 overflow in %s\n", what);
  assert(!"int64 overflow in merchant aggregator");
  std::abort();
}

inline void add_checked(std::int64_t& acc, std::int64_t x, const char* what) {
  if (__builtin_add_overflow(acc, x, &acc))
    overflow_bug(what);
}

}  // namespace

std::uint64_t merchant_aggregator_state::default_series_hash(std::string_view merchant,
                                                             std::string_view currency) {
  return absl::Hash<std::pair<std::string_view, std::string_view>>{}({merchant, currency});
}

merchant_aggregator_state::merchant_aggregator_state(const aggregator_config& cfg,
                                                     series_hash_function hash)
  : cfg_(cfg), series_hash_(hash), tracker_(cfg.allowed_lateness_ms) {
  assert(valid(cfg));
}

void merchant_aggregator_state::assign_partition(std::int32_t p, std::int64_t now_ms) {
  note_time(now_ms);
  tracker_.assign(p);
}

const merchant_aggregator_state::replay_slot*
merchant_aggregator_state::replay_of(std::int32_t p) const {
  if (p < 0 || static_cast<std::size_t>(p) >= replay_.size())
    return nullptr;
  return &replay_[static_cast<std::size_t>(p)];
}

namespace {

/// Unambiguous for any bytes: the merchant's length goes first.
std::string series_name(std::string_view merchant, std::string_view currency) {
  auto name = std::to_string(merchant.size());
  name += ':';
  name += merchant;
  name += currency;
  return name;
}

}  // namespace

std::uint32_t merchant_aggregator_state::series_of(const std::string& merchant,
                                                   const std::string& currency) {
  return series_of(merchant, currency, series_hash_(merchant, currency));
}

std::uint32_t merchant_aggregator_state::series_of(const std::string& merchant,
                                                   const std::string& currency,
                                                   std::uint64_t hash) {
  auto it = series_by_hash_.find(hash);
  if (it == series_by_hash_.end()) {
    auto sid = new_series(merchant, currency);
    series_by_hash_.emplace(hash, sid);
    return sid;
  }
  const auto& s = series_[it->second];
  if (merchant_names_[s.merchant] == merchant && currency_names_[s.currency] == currency)
    return it->second;
  auto [c_it, added] = collided_series_.emplace(series_name(merchant, currency), 0);
  if (added)
    c_it->second = new_series(merchant, currency);
  return c_it->second;
}

std::uint32_t merchant_aggregator_state::new_series(const std::string& merchant,
                                                    const std::string& currency) {
  auto m_it = merchant_ids_.find(merchant);
  if (m_it == merchant_ids_.end()) {
    auto id = static_cast<std::uint32_t>(merchant_names_.size());
    m_it = merchant_ids_.emplace(merchant, id).first;
    merchant_names_.push_back(merchant);
  }
  auto c_it = currency_ids_.find(currency);
  if (c_it == currency_ids_.end()) {
    auto id = static_cast<std::uint32_t>(currency_names_.size());
    c_it = currency_ids_.emplace(currency, id).first;
    currency_names_.push_back(currency);
  }
  auto sid = static_cast<std::uint32_t>(series_.size());
  series_.push_back(series{m_it->second, c_it->second});
  totals_.emplace_back();
  return sid;
}

merchant_aggregator_state::bucket& merchant_aggregator_state::bucket_at(std::int64_t start) {
  if (cached_bucket_ == nullptr || cached_start_ != start) {
    cached_bucket_ = &buckets_[start];  // std::map nodes are stable
    cached_start_ = start;
  }
  return *cached_bucket_;
}

void merchant_aggregator_state::count(const shard_record& tx, std::uint32_t sid, bucket& b) {
  bool fresh = false;
  auto& c = b.at(sid, series_.size(), fresh);
  if (fresh) {
    ++open_cells_;
    c.min = tx.amount_cents;
    c.max = tx.amount_cents;
  } else {
    c.min = std::min(c.min, tx.amount_cents);
    c.max = std::max(c.max, tx.amount_cents);
  }
  ++c.count;
  if (tx.type == transaction_type::refund)
    add_checked(c.refund, tx.amount_cents, "window refund_cents");
  else
    add_checked(c.purchase, tx.amount_cents, "window purchase_cents");
}

void merchant_aggregator_state::add(std::int32_t p, const std::vector<transaction>& txns,
                                    std::int64_t now_ms, aggregator_output& out) {
  std::vector<shard_record> records;
  records.reserve(txns.size());
  for (const auto& tx : txns)
    records.emplace_back(tx);
  add(p, records, now_ms, out);
}

void merchant_aggregator_state::add(std::int32_t p, const std::vector<shard_record>& txns,
                                    std::int64_t now_ms, aggregator_output& out) {
  add(p, txns.data(), txns.size(), no_event_time, now_ms, out);
}

void merchant_aggregator_state::add(std::int32_t p, const shard_record* txns, std::size_t n,
                                    std::int64_t partition_max_ms, std::int64_t now_ms,
                                    aggregator_output& out) {
  note_time(now_ms);
  count_batch(p, txns, n, out);
  // Raised after the batch's records were classified by their own prefix
  // (the partition-consumer already rejected every record behind the
  // partition's watermark), before its windows close.
  tracker_.set_max_event_time(p, partition_max_ms);
  advance_and_close(out);
}

void merchant_aggregator_state::on_progress(std::int32_t p, std::int64_t partition_max_ms,
                                            std::int64_t now_ms, aggregator_output& out) {
  note_time(now_ms);
  if (partition_max_ms != no_event_time)
    tracker_.on_status(p, partition_max_ms, false);
  advance_and_close(out);
}

void merchant_aggregator_state::count_batch(std::int32_t p, const shard_record* txns, std::size_t n,
                                            aggregator_output& out) {
  tracker_.on_batch(p, n > 0);
  const auto len = cfg_.window_ms;
  const auto lateness = cfg_.allowed_lateness_ms;
  const replay_slot none;
  const auto* rs = replay_of(p);
  const auto& replay = rs ? *rs : none;
  // p's max event time before the current record, kept local in the loop.
  auto max_t = tracker_.max_event_time(p);
  auto pw = max_t == no_event_time ? no_event_time : saturating_sub(max_t, lateness);
  resolve_series(txns, n, window_start_of(max_t == no_event_time ? 0 : max_t, len));
  for (std::size_t i = 0; i < n; ++i) {
    const auto& tx = txns[i];
    assert(tx.source.partition == p);
    const auto offset = tx.source.offset;
    if (frontier_.already_seen(p, offset)) {
      ++out.skipped;
      continue;
    }
    frontier_.on_processed(p, offset);
    const auto t = tx.event_time_ms;
    const auto start = window_start_of(t, len);
    std::int64_t end = 0;
    if (__builtin_add_overflow(start, len, &end))
      overflow_bug("window end (event time out of range)");
    if (end <= pw) {
      out.late.push_back(i);
      continue;
    }
    // A restored total covers every window of its series up to its last
    // window end: those windows reached the topic before it (same key, same
    // partition). The series' later windows did not, and their records are
    // all read again (their offsets stayed held until the totals went out),
    // whatever totals of other series of the shard got through.
    if (offset <= replay.last_offset
        && (end <= replay.closed_through || end <= totals_[sids_[i]].restored_through)) {
      // Counted in a window emitted before the restart (or already
      // dead-lettered as late then): do not count it again.
      ++out.skipped;
      if (t > max_t) {
        max_t = t;
        pw = saturating_sub(t, lateness);
      }
      continue;
    }
    if (end <= closed_through_) {
      out.late.push_back(i);
      continue;
    }
    count(tx, sids_[i], bucket_at(start));
    frontier_.on_counted(start, p, offset);
    if (t > max_t) {
      max_t = t;
      pw = saturating_sub(t, lateness);
    }
  }
  tracker_.set_max_event_time(p, max_t);
}

void merchant_aggregator_state::on_status(const partition_status& status, std::int64_t now_ms,
                                          aggregator_output& out) {
  note_time(now_ms);
  tracker_.on_status(status.partition, status.max_event_time_ms, status.idle);
  advance_and_close(out);
}

void merchant_aggregator_state::resolve_series(const shard_record* txns, std::size_t n,
                                               std::int64_t likely_start) {
  // Thousands of series per aggregator (tens of thousands in all on the
  // benchmark input): their index entries and cells are cache misses, which
  // overlap when the loads are issued together rather than one record at a
  // time. A series made here for a record that turns out late or replayed
  // only costs an unused id.
  hashes_.resize(n);
  sids_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    hashes_[i] = series_hash_(txns[i].merchant_id, txns[i].currency);
    series_by_hash_.prefetch(hashes_[i]);
  }
  // Cells only of a window already open: buckets are made by counting.
  const bucket* open = nullptr;
  if (auto it = buckets_.find(likely_start); it != buckets_.end())
    open = &it->second;
  for (std::size_t i = 0; i < n; ++i) {
    sids_[i] = series_of(txns[i].merchant_id, txns[i].currency, hashes_[i]);
    if (open != nullptr)
      open->prefetch(sids_[i]);
  }
}

void merchant_aggregator_state::tick(std::int64_t now_ms, aggregator_output& out) {
  note_time(now_ms);
  advance_and_close(out);
}

void merchant_aggregator_state::finish_partition(std::int32_t p, aggregator_output& out) {
  tracker_.finish(p);
  advance_and_close(out);
}

void merchant_aggregator_state::flush_all(aggregator_output& out) {
  if (!buckets_.empty()) {
    auto last_end = buckets_.rbegin()->first + cfg_.window_ms;
    tracker_.raise_to(last_end);
    close_until(tracker_.watermark(), out);
  }
  emit_totals(out, true);
}

void merchant_aggregator_state::restore_partition(std::int32_t p, const partition_checkpoint& cp,
                                                  std::int64_t now_ms) {
  assert(p >= 0);
  note_time(now_ms);
  tracker_.restore(p, cp.max_event_time_ms);
  frontier_.restore(p, cp.resume_offset);
  auto i = static_cast<std::size_t>(p);
  if (i >= replay_.size())
    replay_.resize(i + 1);
  replay_[i].last_offset = std::max(replay_[i].last_offset, cp.last_offset);
  replay_[i].closed_through = std::max(replay_[i].closed_through, cp.closed_through_ms);
  closed_through_ = std::max(closed_through_, cp.closed_through_ms);
  tracker_.raise_to(cp.closed_through_ms);
}

void merchant_aggregator_state::restore_total(const running_total& total) {
  auto& slot = totals_[series_of(total.merchant_id, total.currency)];
  slot.present = true;
  slot.count = total.transaction_count;
  slot.purchase = total.purchase_cents;
  slot.refund = total.refund_cents;
  slot.as_of = total.as_of_ms;
  slot.last_window_end = total.last_window_end_ms;
  slot.restored_through = std::max(slot.restored_through, total.last_window_end_ms);
}

std::int64_t merchant_aggregator_state::open_min_offset(std::int32_t p) const {
  return frontier_.open_min_offset(p);
}

void merchant_aggregator_state::advance_and_close(aggregator_output& out) {
  close_until(tracker_.advance(), out);
}

bool merchant_aggregator_state::series_less(std::uint32_t a, std::uint32_t b) const {
  const auto& x = series_[a];
  const auto& y = series_[b];
  if (x.merchant != y.merchant)
    return merchant_names_[x.merchant] < merchant_names_[y.merchant];
  return currency_names_[x.currency] < currency_names_[y.currency];
}

running_total merchant_aggregator_state::make_total(std::uint32_t sid) const {
  const auto& s = series_[sid];
  const auto& t = totals_[sid];
  running_total r;
  r.merchant_id = merchant_names_[s.merchant];
  r.currency = currency_names_[s.currency];
  r.transaction_count = t.count;
  r.purchase_cents = t.purchase;
  r.refund_cents = t.refund;
  r.as_of_ms = t.as_of;
  r.last_window_end_ms = t.last_window_end;
  return r;
}

void merchant_aggregator_state::close_until(std::int64_t wm, aggregator_output& out) {
  std::vector<std::uint32_t> sids;
  while (!buckets_.empty() && buckets_.begin()->first + cfg_.window_ms <= wm) {
    auto node = buckets_.begin();
    const auto start = node->first;
    const auto end = start + cfg_.window_ms;
    const auto& cells = node->second;
    sids.assign(cells.present().begin(), cells.present().end());
    std::sort(sids.begin(), sids.end(), [this](auto a, auto b) { return series_less(a, b); });
    for (auto sid : sids) {
      const auto& c = cells.get(sid);
      const auto& s = series_[sid];
      window_aggregate w;
      w.merchant_id = merchant_names_[s.merchant];
      w.currency = currency_names_[s.currency];
      w.window_start_ms = start;
      w.window_end_ms = end;
      w.transaction_count = c.count;
      w.purchase_cents = c.purchase;
      w.refund_cents = c.refund;
      w.min_cents = c.min;
      w.max_cents = c.max;
      out.windows.push_back(std::move(w));
      auto& t = totals_[sid];
      if (t.present && end <= t.last_window_end)
        continue;  // folded before a restart: replay safety
      if (!t.changed) {
        t.changed = true;
        pending_totals_.push_back(sid);
      }
      t.present = true;
      add_checked(t.count, c.count, "total transaction_count");
      add_checked(t.purchase, c.purchase, "total purchase_cents");
      add_checked(t.refund, c.refund, "total refund_cents");
      t.last_window_end = end;
      t.as_of = end - 1;
    }
    open_cells_ -= sids.size();
    held_windows_.push_back(start);
    buckets_.erase(node);
    cached_bucket_ = nullptr;
  }
  closed_through_ = std::max(closed_through_, wm);
  emit_totals(out, false);
}

void merchant_aggregator_state::emit_totals(aggregator_output& out, bool now) {
  if (pending_totals_.empty() && held_windows_.empty())
    return;
  constexpr auto never = std::numeric_limits<std::int64_t>::min();
  const auto interval = cfg_.totals_interval_ms;
  if (!now && interval > 0 && totals_emitted_ms_ != never
      && now_ms_ - totals_emitted_ms_ < interval)
    return;
  std::sort(pending_totals_.begin(), pending_totals_.end(),
            [this](auto a, auto b) { return series_less(a, b); });
  for (auto sid : pending_totals_) {
    totals_[sid].changed = false;
    out.totals.push_back(make_total(sid));
  }
  pending_totals_.clear();
  // Only now may the offsets of the closed windows be committed: their
  // records are in totals that are on their way out.
  for (auto start : held_windows_)
    frontier_.close_bucket(start);
  out.frontier_moved = out.frontier_moved || !held_windows_.empty();
  held_windows_.clear();
  totals_emitted_ms_ = now_ms_;
}

std::size_t merchant_aggregator_state::open_window_bytes() const {
  std::size_t bytes = 0;
  for (const auto& [start, b] : buckets_)
    bytes += b.bytes();
  return bytes;
}

std::vector<running_total> merchant_aggregator_state::totals() const {
  std::vector<std::uint32_t> sids;
  for (std::uint32_t sid = 0; sid < totals_.size(); ++sid)
    if (totals_[sid].present)
      sids.push_back(sid);
  std::sort(sids.begin(), sids.end(), [this](auto a, auto b) { return series_less(a, b); });
  std::vector<running_total> result;
  result.reserve(sids.size());
  for (auto sid : sids)
    result.push_back(make_total(sid));
  return result;
}

}  // namespace txstream
