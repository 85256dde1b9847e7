#include "actors/commit_frontier.hpp"

#include <algorithm>
#include <cassert>
#include <limits>

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

void commit_frontier::on_counted(std::int64_t bucket_start, std::int32_t p, std::int64_t offset) {
  if (bucket_start == cached_start_ && p == cached_partition_)
    return;
  cached_start_ = bucket_start;
  cached_partition_ = p;
  auto& entries = buckets_[bucket_start];
  for (const auto& e : entries)
    if (e.partition == p)
      return;
  entries.push_back(entry{p, offset});
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

std::int64_t commit_frontier::open_min_offset(std::int32_t p) const {
  auto result = std::numeric_limits<std::int64_t>::max();
  for (const auto& [start, entries] : buckets_)
    for (const auto& e : entries)
      if (e.partition == p)
        result = std::min(result, e.min_offset);
  return result;
}

}  // namespace txstream
