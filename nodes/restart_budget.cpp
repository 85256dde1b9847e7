#include "nodes/restart_budget.hpp"

#include <algorithm>
#include <thread>

#include <spdlog/spdlog.h>

#include "monitoring/actor_probe.hpp"

namespace txstream {

restart_budget::restart_budget(const supervision_config& cfg)
  : cfg_(cfg), backoff_(cfg.backoff_initial_ms) {
}

bool restart_budget::allow(clock::time_point now) {
  recent_.push_back(now);
  while (!recent_.empty()
         && now - recent_.front() > std::chrono::milliseconds(cfg_.restart_window_ms))
    recent_.pop_front();
  return static_cast<int>(recent_.size()) <= cfg_.max_restarts;
}

std::chrono::milliseconds restart_budget::next_backoff() {
  const auto now = backoff_;
  backoff_ = std::min(backoff_ * 2, std::chrono::milliseconds(cfg_.backoff_max_ms));
  return now;
}

bool restart_budget::restart(pipeline_context& ctx) {
  if (!allow(clock::now())) {
    spdlog::critical("supervisor: {} restarts within {} ms, giving up", recent_.size(),
                     cfg_.restart_window_ms);
    return false;
  }
  ++restarts_;
  ctx.crash_shard_after_batches = -1;
  if (ctx.actor_metrics != nullptr)
    ctx.actor_metrics->restarted("pipeline");
  const auto backoff = next_backoff();
  spdlog::warn("supervisor: restarting the pipeline in {} ms (restart {})", backoff.count(),
               restarts_);
  std::this_thread::sleep_for(backoff);
  return true;
}

}  // namespace txstream
