#include "actors/commit_frontier.hpp"

#include <algorithm>
#include <cassert>

namespace txstream {

commit_frontier::progress& commit_frontier::at(std::int32_t p) {
  assert(p >= 0);
  auto i = static_cast<std::size_t>(p);
  if (i >= progress_.size())
    progress_.resize(i + 1);
  return progress_[i];
}

const commit_frontier::progress* commit_frontier::find(std::int32_t p) const {
  if (p < 0 || static_cast<std::size_t>(p) >= progress_.size())
    return nullptr;
  return &progress_[static_cast<std::size_t>(p)];
}

bool commit_frontier::already_seen(std::int32_t p, std::int64_t offset) const {
  auto* x = find(p);
  return x && (offset < x->resume || offset <= x->last);
}

void commit_frontier::on_processed(std::int32_t p, std::int64_t offset) {
  auto& x = at(p);
  x.last = std::max(x.last, offset);
}

void commit_frontier::on_counted(std::int64_t bucket_start, std::int32_t p,
                                 std::int64_t offset,
                                 std::int64_t max_event_before) {
  if (bucket_start == cached_start_ && p == cached_partition_)
    return;
  cached_start_ = bucket_start;
  cached_partition_ = p;
  auto& entries = buckets_[bucket_start];
  for (const auto& e : entries)
    if (e.partition == p)
      return;
  entries.push_back(entry{p, offset, max_event_before});
}

void commit_frontier::note_position(std::int32_t p, std::int64_t next_offset) {
  auto& x = at(p);
  x.position = std::max(x.position, next_offset);
}

void commit_frontier::close_bucket(std::int64_t bucket_start) {
  buckets_.erase(bucket_start);
  if (cached_start_ == bucket_start)
    cached_partition_ = -1;
}

void commit_frontier::restore(std::int32_t p, std::int64_t resume_offset) {
  // Merge, do not reset: a live shard re-attached to p keeps skipping the
  // offsets it already handled.
  auto& x = at(p);
  x.resume = std::max(x.resume, resume_offset);
}

commit_frontier::point commit_frontier::frontier(std::int32_t p) const {
  point result;
  for (const auto& [start, entries] : buckets_)
    for (const auto& e : entries)
      if (e.partition == p
          && (!result.from_open_window || e.min_offset < result.offset)) {
        result.offset = e.min_offset;
        result.max_event_time_ms = e.max_event_before;
        result.from_open_window = true;
      }
  if (result.from_open_window)
    return result;
  if (auto* x = find(p)) {
    result.offset = std::max({x->last >= 0 ? x->last + 1 : -1, x->position,
                              x->resume});
  }
  return result;
}

std::int64_t commit_frontier::last_offset(std::int32_t p) const {
  auto* x = find(p);
  return x ? x->last : -1;
}

} // namespace txstream
