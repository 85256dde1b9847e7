// How often a supervisor may restart a failed pipeline: at most
// supervision.max_restarts within supervision.restart_window_ms, each after
// a backoff that doubles from backoff_initial_ms up to backoff_max_ms. Past
// the budget something is wrong that a restart will not fix: the node exits
// and lets the operator see it.
#pragma once

#include <chrono>
#include <deque>

#include "actors/pipeline_context.hpp"
#include "config/node_config.hpp"

namespace txstream {

class restart_budget {
public:
  using clock = std::chrono::steady_clock;

  explicit restart_budget(const supervision_config& cfg);

  /// A failure at `now`; false when it exhausts the budget.
  bool allow(clock::time_point now);

  /// The wait before the next restart; each call doubles the next one.
  std::chrono::milliseconds next_backoff();

  /// After a failure of the pipeline of `ctx`: false when the budget is
  /// exhausted; otherwise counts the restart, clears an injected failure
  /// (it happens once) and sleeps the backoff.
  bool restart(pipeline_context& ctx);

  /// Restarts so far.
  int restarts() const noexcept {
    return restarts_;
  }

private:
  supervision_config cfg_;
  std::chrono::milliseconds backoff_;
  std::deque<clock::time_point> recent_;
  int restarts_ = 0;
};

}  // namespace txstream
