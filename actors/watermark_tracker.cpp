#include "actors/watermark_tracker.hpp"

#include <algorithm>
#include <cassert>

namespace txstream {

watermark_tracker::watermark_tracker(std::int64_t allowed_lateness_ms)
  : lateness_(allowed_lateness_ms) {
  assert(allowed_lateness_ms >= 0);
}

watermark_tracker::slot& watermark_tracker::at(std::int32_t p) {
  assert(p >= 0);
  auto i = static_cast<std::size_t>(p);
  if (i >= slots_.size())
    slots_.resize(i + 1);
  return slots_[i];
}

const watermark_tracker::slot* watermark_tracker::find(std::int32_t p) const {
  if (p < 0 || static_cast<std::size_t>(p) >= slots_.size())
    return nullptr;
  return &slots_[static_cast<std::size_t>(p)];
}

void watermark_tracker::assign(std::int32_t p) {
  auto& s = at(p);
  s.known = true;
  s.idle = false;
  s.pending = s.max_event_time == no_event_time;
}

void watermark_tracker::on_batch(std::int32_t p, bool has_records) {
  auto& s = at(p);
  s.known = true;
  if (has_records) {
    s.idle = false;
    s.pending = false;
    s.finished = false;
  }
}

void watermark_tracker::set_idle(std::int32_t p, bool idle) {
  auto& s = at(p);
  s.known = true;
  s.idle = idle;
}

void watermark_tracker::on_status(std::int32_t p, std::int64_t max_event_time_ms, bool idle) {
  set_max_event_time(p, max_event_time_ms);
  auto& s = at(p);
  s.known = true;
  s.idle = idle;
  if (s.max_event_time != no_event_time)
    s.pending = false;
}

std::int64_t watermark_tracker::max_event_time(std::int32_t p) const {
  auto* s = find(p);
  return s ? s->max_event_time : no_event_time;
}

void watermark_tracker::set_max_event_time(std::int32_t p, std::int64_t max_event_time_ms) {
  auto& s = at(p);
  s.max_event_time = std::max(s.max_event_time, max_event_time_ms);
}

std::int64_t watermark_tracker::partition_watermark(std::int32_t p) const {
  auto t = max_event_time(p);
  return t == no_event_time ? no_event_time : saturating_sub(t, lateness_);
}

void watermark_tracker::finish(std::int32_t p) {
  auto& s = at(p);
  s.known = true;
  s.finished = true;
  s.pending = false;
}

void watermark_tracker::restore(std::int32_t p, std::int64_t max_event_time_ms) {
  auto& s = at(p);
  s.known = true;
  s.idle = false;
  s.finished = false;
  s.max_event_time = std::max(s.max_event_time, max_event_time_ms);
  s.pending = s.max_event_time == no_event_time;
}

bool watermark_tracker::is_active(std::int32_t p) const {
  auto* s = find(p);
  return s && s->known && !s->idle && !s->finished && s->max_event_time != no_event_time;
}

std::int64_t watermark_tracker::advance() {
  bool any = false;
  std::int64_t lowest = std::numeric_limits<std::int64_t>::max();
  for (const auto& s : slots_) {
    if (!s.known || s.idle || s.finished)
      continue;
    if (s.pending)
      return watermark_;
    if (s.max_event_time == no_event_time)
      continue;  // delivered only late records: nothing to say yet
    any = true;
    lowest = std::min(lowest, saturating_sub(s.max_event_time, lateness_));
  }
  if (any)
    watermark_ = std::max(watermark_, lowest);
  return watermark_;
}

void watermark_tracker::raise_to(std::int64_t wm) {
  watermark_ = std::max(watermark_, wm);
}

}  // namespace txstream
