// Liveness and readiness checks served on /healthz and /readyz.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <utility>

namespace txstream::monitoring {

/// Outcome of one check; `reason` is the 503 body when `ok` is false.
struct check_result {
  bool ok = true;
  std::string reason;
};

/// The callbacks the HTTP endpoint runs on its own thread per request: they
/// must be thread-safe and quick. An empty callback counts as passing.
struct health_checks {
  std::function<check_result()> liveness;
  std::function<check_result()> readiness;
};

/// A ready-made, thread-safe holder for both states: the node flips it
/// (e.g. ready once partitions are assigned and the broker answered).
/// Starts alive and not ready.
class health_state {
public:
  health_state() = default;
  health_state(const health_state&) = delete;
  health_state& operator=(const health_state&) = delete;

  void set_alive(bool alive, std::string reason = {}) {
    std::lock_guard<std::mutex> guard{mutex_};
    alive_ = {alive, std::move(reason)};
  }

  void set_ready(bool ready, std::string reason = {}) {
    std::lock_guard<std::mutex> guard{mutex_};
    ready_ = {ready, std::move(reason)};
  }

  check_result liveness() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return alive_;
  }

  check_result readiness() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return ready_;
  }

  /// Callbacks reading this object, which must outlive the endpoint.
  health_checks checks() const {
    return {[this] { return liveness(); }, [this] { return readiness(); }};
  }

private:
  mutable std::mutex mutex_;
  check_result alive_{true, {}};
  check_result ready_{false, "starting"};
};

}  // namespace txstream::monitoring
