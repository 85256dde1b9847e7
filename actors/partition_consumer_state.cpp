#include "actors/partition_consumer_state.hpp"

#include <algorithm>
#include <cassert>
#include <cinttypes>
#include <cstdio>
#include <limits>

#include "actors/shard_router.hpp"

namespace txstream {

std::string encode_commit_metadata(const partition_resume_point& p) {
  return "v2 " + std::to_string(p.max_event_time_ms) + " " + std::to_string(p.detector_start());
}

partition_resume_point decode_commit_metadata(std::int64_t offset, const std::string& metadata) {
  partition_resume_point p;
  p.offset = offset;
  long long value = 0;
  long long from = -1;
  if (std::sscanf(metadata.c_str(), "v2 %lld %lld", &value, &from) == 2
      || std::sscanf(metadata.c_str(), "v1 %lld", &value) == 1)
    p.max_event_time_ms = value;
  p.detector_from = from;
  p.detector_from = p.detector_start();
  return p;
}

partition_consumer_state::partition_consumer_state(
  std::int32_t partition, std::string topic, const aggregator_config& cfg, shard_routes routes,
  partition_resume_point resume, std::int64_t max_future_ms, std::int64_t detector_replay_ms)
  : partition_(partition),
    topic_(std::move(topic)),
    cfg_(cfg),
    routes_(std::move(routes)),
    max_future_ms_(max_future_ms),
    max_event_time_(resume.max_event_time_ms),
    next_offset_(resume.offset),
    shard_open_min_(routes_.shards(), resume.offset),
    told_max_(routes_.hosts, no_event_time),
    told_at_(routes_.hosts, std::numeric_limits<std::int64_t>::min()),
    link_sent_(routes_.hosts, 0),
    shard_count_(routes_.shards(), 0),
    host_slot_(routes_.hosts, -1),
    resume_offset_(resume.offset),
    detector_replay_ms_(detector_replay_ms),
    detector_from_(resume.detector_start()) {
  assert(routes_.shards() == cfg_.shards);
}

dead_letter partition_consumer_state::make_dead(const raw_batch& raw, const raw_record& r,
                                                dead_letter_reason reason,
                                                std::string detail) const {
  dead_letter d;
  d.reason = reason;
  d.detail = std::move(detail);
  d.topic = topic_;
  d.partition = partition_;
  d.offset = r.offset;
  d.key = std::string{raw.key(r)};
  d.payload = std::string{raw.value(r)};
  return d;
}

bool partition_consumer_state::is_future(const raw_record& r, const transaction& tx) const {
  // Measured against the record's Kafka timestamp, which never changes: a
  // replay, or another node with another clock, decides the same. Records
  // without one (message formats before Kafka 0.10) are not checked.
  return max_future_ms_ > 0 && r.timestamp_ms >= 0
         && tx.event_time_ms - r.timestamp_ms > max_future_ms_;
}

bool partition_consumer_state::reject_future(const raw_batch& raw, const raw_record& r,
                                             const transaction& tx, routed_batch& out) const {
  if (!is_future(r, tx))
    return false;
  out.dead.push_back(make_dead(raw, r, dead_letter_reason::future_time,
                               "event time " + std::to_string(tx.event_time_ms) + " is "
                                 + std::to_string(tx.event_time_ms - r.timestamp_ms)
                                 + " ms ahead of the record's Kafka timestamp "
                                 + std::to_string(r.timestamp_ms) + " (limit "
                                 + std::to_string(max_future_ms_) + " ms)"));
  return true;
}

void partition_consumer_state::route(raw_batch&& raw, bool with_detector, routed_batch& out) {
  out.valid.partition = partition_;
  out.valid.sequence = next_sequence_;
  out.valid.transactions.clear();
  out.valid.transactions.reserve(raw.records.size());
  out.hosts.clear();
  out.per_host.clear();
  out.dead.clear();
  if (raw.records.empty())
    return;
  const auto first = raw.records.front().offset;
  // A batch re-read for the detector resumes, as far as commits go, where
  // this start did.
  history_.push_back({std::max(first, resume_offset_), max_event_time_});
  note_replay_mark(first);
  auto& valid = out.valid.transactions;
  for (const auto& r : raw.records) {
    // Decoded where it stays: moving a scratch transaction in copied its 224
    // bytes (short strings live inline); a failed one is taken back out.
    auto& tx = valid.emplace_back();
    auto res = decoder_.decode(raw.value(r), tx);
    if (r.offset < resume_offset_) {
      // Re-read for the detector's history: counted or dead-lettered by an
      // earlier start, and already behind max_event_time_.
      if (!res.ok() || is_future(r, tx)) {
        valid.pop_back();
        continue;
      }
      tx.source = {partition_, r.offset};
      reread_max_ = std::max(reread_max_, tx.event_time_ms);
      continue;
    }
    if (!res.ok()) {
      valid.pop_back();
      out.dead.push_back(make_dead(raw, r, res.reason, describe(res)));
      continue;
    }
    // A future event moves no watermark and no detector clock: it leaves
    // the batch like an undecodable record.
    if (reject_future(raw, r, tx, out)) {
      valid.pop_back();
      continue;
    }
    tx.source = {partition_, r.offset};
    // Lateness by the partition's own watermark: a function of this
    // partition's earlier records only, hence identical on every replay.
    const auto end = window_start_of(tx.event_time_ms, cfg_.window_ms) + cfg_.window_ms;
    const auto watermark = saturating_sub(max_event_time_, cfg_.allowed_lateness_ms);
    if (max_event_time_ != no_event_time && end <= watermark) {
      out.dead.push_back(make_dead(
        raw, r, dead_letter_reason::late,
        "event time " + std::to_string(tx.event_time_ms) + " is in window ending "
          + std::to_string(end) + ", behind the partition watermark " + std::to_string(watermark)));
      continue;  // stays in the batch: the detector sees late records too
    }
    max_event_time_ = std::max(max_event_time_, tx.event_time_ms);
    const auto shard = shard_of(tx.merchant_id, cfg_.shards);
    ++shard_count_[shard];
    counted_.push_back({static_cast<std::uint32_t>(valid.size() - 1), shard});
  }
  fill_hosts(out);
  batch_entry e;
  e.sequence = next_sequence_++;
  e.first_offset = raw.records.front().offset;
  e.pending_acks = static_cast<int>(out.hosts.size()) + (with_detector ? 1 : 0);
  e.pending_processed = static_cast<int>(out.hosts.size());
  e.detector_pending = with_detector;
  ++unprocessed_;
  next_offset_ = raw.records.back().offset + 1;
  // Only late records need their payload after routing.
  if (!out.hosts.empty())
    e.raw = std::move(raw);
  else
    release(raw);
  in_flight_.push_back(std::move(e));
  check_processed(in_flight_.back());
  pop_done();
}

void partition_consumer_state::fill_hosts(routed_batch& out) {
  // Counted records ordered by shard (stable: each shard's in offset
  // order), so that a host gets one run of records per shard.
  const auto shards = routes_.shards();
  std::uint32_t at = 0;
  std::vector<std::uint32_t>& start = shard_start_;
  start.assign(shards, 0);
  for (std::uint32_t s = 0; s < shards; ++s) {
    start[s] = at;
    at += shard_count_[s];
  }
  by_shard_.resize(counted_.size());
  for (std::uint32_t i = 0; i < counted_.size(); ++i)
    by_shard_[start[counted_[i].shard]++] = counted_[i].index;
  // Hosts in order of their first shard; sized before filling.
  std::vector<std::uint32_t>& host_size = host_size_;
  host_size.assign(routes_.hosts, 0);
  for (std::uint32_t s = 0; s < shards; ++s)
    host_size[routes_.host_of[s]] += shard_count_[s];
  for (std::uint32_t s = 0; s < shards; ++s) {
    const auto h = routes_.host_of[s];
    if (shard_count_[s] == 0 || host_slot_[h] >= 0)
      continue;
    host_slot_[h] = static_cast<int>(out.hosts.size());
    out.hosts.push_back(h);
    auto& b = out.per_host.emplace_back();
    b.partition = partition_;
    b.sequence = next_sequence_;
    b.epoch = routes_.epoch;
    b.link_sequence = ++link_sent_[h];
    b.max_event_time_ms = max_event_time_;
    b.records.reserve(host_size[h]);
    told_max_[h] = max_event_time_;
  }
  const auto& valid = out.valid.transactions;
  std::uint32_t next = 0;
  for (std::uint32_t s = 0; s < shards; ++s) {
    const auto n = shard_count_[s];
    if (n == 0)
      continue;
    auto& b = out.per_host[static_cast<std::size_t>(host_slot_[routes_.host_of[s]])];
    const auto begin = static_cast<std::uint32_t>(b.records.size());
    for (std::uint32_t k = 0; k < n; ++k)
      b.records.emplace_back(valid[by_shard_[next++]]);
    b.runs.push_back({s, begin, begin + n});
    shard_count_[s] = 0;
  }
  for (auto h : out.hosts)
    host_slot_[h] = -1;
  counted_.clear();
}

void partition_consumer_state::release(raw_batch& raw) {
  if (pool_ != nullptr)
    pool_->give(std::move(raw));
  raw = raw_batch{};
}

void partition_consumer_state::check_processed(batch_entry& e) {
  if (!e.counted_processed && e.pending_processed == 0 && !e.detector_pending) {
    e.counted_processed = true;
    --unprocessed_;
  }
}

partition_consumer_state::batch_entry* partition_consumer_state::find(std::uint64_t sequence) {
  for (auto& e : in_flight_)
    if (e.sequence == sequence)
      return &e;
  return nullptr;
}

void partition_consumer_state::pop_done() {
  while (!in_flight_.empty() && in_flight_.front().pending_acks == 0
         && in_flight_.front().pending_dead == 0)
    in_flight_.pop_front();
}

std::vector<dead_letter> partition_consumer_state::on_shard_processed(const shard_processed& p) {
  std::vector<dead_letter> dead;
  if (p.epoch != routes_.epoch)
    return dead;
  auto* e = find(p.sequence);
  assert(e != nullptr);
  if (e == nullptr)
    return dead;
  for (auto offset : p.late_offsets) {
    auto it = std::lower_bound(e->raw.records.begin(), e->raw.records.end(), offset,
                               [](const raw_record& r, std::int64_t o) { return r.offset < o; });
    if (it != e->raw.records.end() && it->offset == offset)
      dead.push_back(make_dead(e->raw, *it, dead_letter_reason::late,
                               "its window was already closed (the partition "
                               "had been idle)"));
  }
  if (--e->pending_processed == 0)
    release(e->raw);  // every late record is known: free the payloads
  check_processed(*e);
  return dead;
}

void partition_consumer_state::note_holds(const std::vector<shard_hold>& holds) {
  for (const auto& h : holds)
    if (h.shard < shard_open_min_.size())
      shard_open_min_[h.shard] = h.open_min_offset;
}

void partition_consumer_state::on_shard_ack(const shard_ack& ack) {
  if (ack.epoch != routes_.epoch)
    return;  // from hosts of another shard map: not for this incarnation
  note_holds(ack.holds);
  if (auto* e = find(ack.sequence)) {
    --e->pending_acks;
    pop_done();
  }
}

void partition_consumer_state::on_shard_progress(const shard_progress& progress) {
  if (progress.epoch == routes_.epoch)
    note_holds(progress.holds);
}

void partition_consumer_state::on_detector_processed(std::uint64_t sequence) {
  if (auto* e = find(sequence)) {
    e->detector_pending = false;
    check_processed(*e);
  }
}

void partition_consumer_state::on_detector_ack(std::uint64_t sequence) {
  if (auto* e = find(sequence)) {
    --e->pending_acks;
    e->detector_pending = false;
    check_processed(*e);
    pop_done();
  }
}

void partition_consumer_state::dead_letters_sent(std::uint64_t sequence, std::size_t count) {
  if (auto* e = find(sequence))
    e->pending_dead += count;
}

void partition_consumer_state::dead_letters_delivered(std::uint64_t sequence, std::size_t count) {
  if (auto* e = find(sequence)) {
    assert(e->pending_dead >= count);
    e->pending_dead -= count;
    pop_done();
  }
}

void partition_consumer_state::hosts_behind(std::int64_t now_ms, std::int64_t interval_ms,
                                            std::vector<std::uint32_t>& out) {
  for (std::uint32_t s = 0; s < told_max_.size(); ++s) {
    const bool recently = told_at_[s] != std::numeric_limits<std::int64_t>::min()
                          && now_ms - told_at_[s] < interval_ms;
    if (told_max_[s] >= max_event_time_ || recently)
      continue;
    told_max_[s] = max_event_time_;
    told_at_[s] = now_ms;
    out.push_back(s);
  }
}

void partition_consumer_state::all_hosts_told(std::int64_t now_ms) {
  std::fill(told_max_.begin(), told_max_.end(), max_event_time_);
  std::fill(told_at_.begin(), told_at_.end(), now_ms);
}

void partition_consumer_state::note_replay_mark(std::int64_t offset) {
  if (detector_replay_ms_ <= 0)
    return;
  // A bound of every record before `offset`: below the resume offset, the
  // re-read ones (older ones are older still); from it on, the partition's
  // max event time, which the restored one started.
  const auto before = offset < resume_offset_ ? reread_max_ : max_event_time_;
  const auto step = std::max<std::int64_t>(1, detector_replay_ms_ / 1000);
  const auto last = replay_marks_.empty() ? no_event_time : replay_marks_.back().max_before;
  if (replay_marks_.empty() || (before != last && (last == no_event_time || before - last >= step)))
    replay_marks_.push_back({offset, before});
}

std::int64_t partition_consumer_state::advance_detector_from(std::int64_t commit_offset) {
  if (detector_replay_ms_ <= 0)
    return commit_offset;
  // The newest mark older than the horizon is where the re-read must start.
  const auto horizon = saturating_sub(max_event_time_, detector_replay_ms_);
  while (!replay_marks_.empty() && replay_marks_.front().max_before < horizon) {
    detector_from_ = std::max(detector_from_, replay_marks_.front().offset);
    replay_marks_.pop_front();
  }
  return std::min(detector_from_, commit_offset);
}

partition_resume_point partition_consumer_state::commit_point() {
  std::int64_t c = next_offset_;
  if (!in_flight_.empty())
    c = std::min(c, in_flight_.front().first_offset);
  for (auto o : shard_open_min_)
    c = std::min(c, o);
  // Batches re-read for the detector lie below where this start resumed.
  c = std::max(c, resume_offset_);
  // Round down to a batch start, whose max event time is known.
  partition_resume_point point{c, max_event_time_};
  if (c == next_offset_ && in_flight_.empty()) {
    history_.clear();
  } else {
    while (history_.size() > 1 && history_[1].offset <= c)
      history_.pop_front();
    if (!history_.empty() && history_.front().offset <= c)
      point = history_.front();
  }
  point.detector_from = advance_detector_from(point.offset);
  return point;
}

}  // namespace txstream
