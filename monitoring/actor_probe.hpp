// Per-actor-type metrics: mailbox depth, processing time, restarts.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include "monitoring/label_cache.hpp"
#include "monitoring/metrics_registry.hpp"

namespace txstream::monitoring {

/// The metrics of one actor type: a cheap copyable handle whose methods are
/// lock-free atomics. Obtain it once per actor from actor_metrics::probe().
class actor_probe {
public:
  actor_probe(prometheus::Gauge& mailbox_depth, prometheus::Histogram& processing,
              prometheus::Counter& restarts)
    : mailbox_depth_(&mailbox_depth), processing_(&processing), restarts_(&restarts) {
    // nop
  }

  /// Messages waiting in the mailbox (last sampled instance of this type).
  void mailbox_depth(std::size_t n) {
    mailbox_depth_->Set(static_cast<double>(n));
  }

  /// Time spent handling one message.
  void processed(std::chrono::duration<double> took) {
    processing_->Observe(took.count());
  }

  /// The actor was restarted by its supervisor.
  void restarted() {
    restarts_->Increment();
  }

  /// Measures one message's handling: observes on destruction.
  class timer {
  public:
    explicit timer(actor_probe& probe) : probe_(probe), start_(std::chrono::steady_clock::now()) {
      // nop
    }
    timer(const timer&) = delete;
    timer& operator=(const timer&) = delete;
    ~timer() {
      probe_.processed(std::chrono::steady_clock::now() - start_);
    }

  private:
    actor_probe& probe_;
    std::chrono::steady_clock::time_point start_;
  };

  /// `auto t = probe.time();` at the top of a message handler.
  timer time() {
    return timer{*this};
  }

private:
  prometheus::Gauge* mailbox_depth_;
  prometheus::Histogram* processing_;
  prometheus::Counter* restarts_;
};

/// Owns the `txstream_actor_*` families, labelled by `actor_type`.
/// Thread-safe; one per process. `registry` must outlive it.
class actor_metrics {
public:
  explicit actor_metrics(metrics_registry& registry);

  /// Upper bounds of `txstream_actor_processing_seconds`.
  static const std::vector<double>& processing_buckets();

  /// The probe for `actor_type` (e.g. "partition_consumer"); cold path,
  /// call it when spawning the actor and keep the result.
  actor_probe probe(std::string_view actor_type);

  /// Counts a restart, for supervisors that only know the type name.
  void restarted(std::string_view actor_type) {
    restarts_.get(actor_type).Increment();
  }

private:
  label_cache<prometheus::Gauge> mailbox_depth_;
  label_cache<prometheus::Histogram> processing_;
  label_cache<prometheus::Counter> restarts_;
};

}  // namespace txstream::monitoring
