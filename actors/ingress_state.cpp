#include "actors/ingress_state.hpp"

#include <algorithm>
#include <atomic>

namespace txstream {

namespace {

/// A partition with this many batches queued is busy: one more batch would
/// wait anyway, so new records may linger to join a bigger one.
constexpr std::uint64_t busy_pipeline_batches = 2;

}  // namespace

std::uint64_t ingress_state::slot::outstanding() const {
  // Batches in the consumer's mailbox plus those queued behind it.
  return sent - load->routed.load(std::memory_order_acquire)
         + load->queued.load(std::memory_order_acquire);
}

ingress_state::ingress_state(ingress_limits limits, raw_batch_pool* pool)
  : limits_(limits), pool_(pool) {
}

void ingress_state::assign(std::int32_t p, std::int64_t resume_offset,
                           std::shared_ptr<partition_load> load, std::int64_t now_ms,
                           std::int64_t read_from) {
  slot s;
  s.pending.partition = p;
  s.next_offset = read_from >= 0 && read_from < resume_offset ? read_from : resume_offset;
  s.position = s.next_offset;
  s.commit_offset = resume_offset;
  s.load = std::move(load);
  s.last_record_ms = now_ms;
  slots_[p] = std::move(s);
}

void ingress_state::revoke(std::int32_t p) {
  slots_.erase(p);
}

std::vector<std::int32_t> ingress_state::partitions() const {
  std::vector<std::int32_t> out;
  out.reserve(slots_.size());
  for (const auto& [p, s] : slots_)
    out.push_back(p);
  return out;
}

bool ingress_state::on_record(std::int32_t p, std::int64_t offset, std::string_view key,
                              std::string_view value, std::int64_t timestamp_ms,
                              std::int64_t now_ms) {
  auto it = slots_.find(p);
  if (it == slots_.end())
    return false;
  auto& s = it->second;
  // librdkafka may fetch a range again (after a seek or a pause).
  if (offset < s.next_offset)
    return false;
  s.next_offset = offset + 1;
  s.position = std::max(s.position, s.next_offset);
  s.at_end = false;
  s.last_record_ms = now_ms;
  if (s.pending.records.empty())
    s.pending_since_ms = now_ms;
  s.pending.add(offset, key, value, timestamp_ms);
  ++records_read_;
  return true;
}

void ingress_state::on_end_of_partition(std::int32_t p, std::int64_t offset) {
  auto it = slots_.find(p);
  if (it == slots_.end())
    return;
  auto& s = it->second;
  s.at_end = true;
  // Past transaction markers the log end lies beyond the last record.
  s.position = std::max(s.position, offset);
}

bool ingress_state::reading_blocked() const {
  for (const auto& [p, s] : slots_)
    if (s.held && s.pending.records.size() >= limits_.max_batch_records)
      return true;
  return false;
}

std::size_t ingress_state::room(std::size_t per_call) const {
  std::size_t fullest = 0;
  for (const auto& [p, s] : slots_)
    fullest = std::max(fullest, s.pending.records.size());
  const auto max = limits_.max_batch_records;
  return std::min(per_call, max > fullest ? max - fullest : std::size_t{1});
}

bool ingress_state::any_pending() const {
  for (const auto& [p, s] : slots_)
    if (!s.pending.records.empty())
      return true;
  return false;
}

std::size_t ingress_state::pending_records(std::int32_t p) const {
  auto it = slots_.find(p);
  return it == slots_.end() ? 0 : it->second.pending.records.size();
}

bool ingress_state::take_batch(std::int32_t p, std::int64_t now_ms, raw_batch& out) {
  auto it = slots_.find(p);
  if (it == slots_.end())
    return false;
  auto& s = it->second;
  const auto outstanding = s.outstanding();
  s.held = outstanding >= limits_.max_in_flight_batches;
  if (s.pending.records.empty() || s.held)
    return false;
  if (outstanding >= busy_pipeline_batches && s.pending.records.size() < limits_.max_batch_records
      && now_ms - s.pending_since_ms < limits_.batch_linger_ms)
    return false;
  ++s.sent;
  out = std::move(s.pending);
  s.pending = pool_ != nullptr ? pool_->take() : raw_batch{};
  s.pending.partition = p;
  // Sized like the last batch, unless recycled. Never reserve a recycled
  // buffer to another's capacity: std::string doubles on a small increase,
  // and capacities passed around the pool grew without bound.
  if (s.pending.bytes.capacity() < out.bytes.size())
    s.pending.bytes.reserve(out.bytes.size());
  if (s.pending.records.capacity() < out.records.size())
    s.pending.records.reserve(out.records.size());
  return true;
}

bool ingress_state::silent_for(const slot& s, std::int64_t ms, std::int64_t now_ms) const {
  return s.pending.records.empty() && now_ms - s.last_record_ms >= ms;
}

bool ingress_state::caught_up(const slot& s, std::int64_t now_ms) const {
  // An answer from before the last record says nothing about what came
  // after it; an old one nothing about now (a fetch may have stalled).
  return s.log_end_known && s.log_end_at_ms >= s.last_record_ms
         && now_ms - s.log_end_at_ms <= 2 * limits_.confirm_interval_ms && s.log_end <= s.position;
}

bool ingress_state::drain_candidate(const slot& s, std::int64_t now_ms) const {
  return limits_.until_drained && s.at_end && silent_for(s, limits_.drain_idle_ms, now_ms);
}

bool ingress_state::idle_now(const slot& s, std::int64_t now_ms) const {
  return silent_for(s, limits_.idle_timeout_ms, now_ms) && caught_up(s, now_ms);
}

void ingress_state::confirmations_due(std::int64_t now_ms, std::vector<std::int32_t>& out) {
  for (auto& [p, s] : slots_) {
    if (!silent_for(s, limits_.idle_timeout_ms, now_ms) && !drain_candidate(s, now_ms))
      continue;
    if (s.asked && now_ms - s.asked_at_ms < limits_.confirm_interval_ms)
      continue;
    s.asked = true;
    s.asked_at_ms = now_ms;
    out.push_back(p);
  }
}

void ingress_state::on_log_end(std::int32_t p, std::int64_t log_end, std::int64_t now_ms) {
  auto it = slots_.find(p);
  if (it == slots_.end() || log_end < 0)
    return;  // a failed query confirms nothing; the last answer ages out
  it->second.log_end = log_end;
  it->second.log_end_at_ms = now_ms;
  it->second.log_end_known = true;
}

void ingress_state::idle_changes(std::int64_t now_ms,
                                 std::vector<std::pair<std::int32_t, bool>>& out) {
  for (auto& [p, s] : slots_) {
    const bool idle = idle_now(s, now_ms);
    if (idle != s.idle) {
      s.idle = idle;
      out.emplace_back(p, idle);
    }
  }
}

bool ingress_state::is_idle(std::int32_t p) const {
  auto it = slots_.find(p);
  return it != slots_.end() && it->second.idle;
}

void ingress_state::on_commit_point(std::int32_t p, std::int64_t offset, std::string metadata) {
  auto it = slots_.find(p);
  if (it == slots_.end() || offset < 0)
    return;
  it->second.commit_offset = offset;
  it->second.commit_metadata = std::move(metadata);
  it->second.commit_dirty = true;
}

void ingress_state::take_commits(std::vector<ingress_commit>& out) {
  for (auto& [p, s] : slots_) {
    if (!s.commit_dirty)
      continue;
    s.commit_dirty = false;
    out.push_back({p, s.commit_offset, s.commit_metadata});
  }
}

ingress_state::drain_step ingress_state::drain(std::int64_t now_ms) {
  if (!limits_.until_drained || slots_.empty())
    return drain_step::none;
  if (flushing_ && records_read_ > records_at_flush_) {
    // The end of input was not the end: windows the flush closed stay
    // closed (their late records are dead-lettered), the rest goes on.
    flushing_ = false;
    return drain_step::resumed;
  }
  if (flushing_) {
    for (const auto& [p, s] : slots_)
      if (s.commit_offset < s.next_offset)
        return drain_step::none;
    return drain_step::done;
  }
  if (slots_.size() < limits_.whole_input_partitions)
    return drain_step::none;
  for (const auto& [p, s] : slots_)
    if (!drain_candidate(s, now_ms) || !caught_up(s, now_ms))
      return drain_step::none;
  flushing_ = true;
  records_at_flush_ = records_read_;
  return drain_step::flush;
}

std::int64_t ingress_state::next_offset(std::int32_t p) const {
  auto it = slots_.find(p);
  return it == slots_.end() ? -1 : it->second.next_offset;
}

}  // namespace txstream
