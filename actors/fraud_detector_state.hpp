// Pure logic of one partition's fraud detector: per-user history, the six
// rules, per-rule cooldowns and bounded memory through idle-user eviction.
#pragma once

#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/fraud_rules.hpp"
#include "config/fraud_rules_config.hpp"
#include "messages/anomaly.hpp"
#include "messages/transaction.hpp"

namespace txstream {

/// Evaluates the transactions of one partition, in offset order. Every
/// window is event time; wall clock only fills anomaly::detected_at_ms.
class fraud_detector_state {
public:
  explicit fraud_detector_state(const fraud_rules_config& cfg);

  /// Runs all enabled rules on `t` and appends what fires to `out`. A rule
  /// that fired for a user stays silent for that user until its cooldown
  /// (event time) has passed. Also evicts users idle for longer than the
  /// retention plus the configured slack behind the newest event time.
  void process(const transaction& t, std::int64_t now_ms,
               std::vector<anomaly>& out);

  /// Drops every user whose newest event time is older than
  /// `watermark_ms - config().retention_ms()`; returns how many.
  std::size_t evict_idle(std::int64_t watermark_ms);

  /// Users currently held.
  std::size_t user_count() const {
    return users_.size();
  }

  /// Transactions currently buffered over all users.
  std::size_t buffered_transactions() const {
    return buffered_;
  }

  /// Newest event time processed so far (0 before the first).
  std::int64_t max_event_time() const {
    return max_event_time_;
  }

  const fraud_rules_config& config() const {
    return cfg_;
  }

private:
  struct user_entry {
    user_history history;
    std::list<const std::string*>::iterator lru;
  };

  void trim(user_history& h);
  void run_rules(const transaction& t, user_history& h, std::int64_t now_ms,
                 std::vector<anomaly>& out);

  fraud_rules_config cfg_;
  // Node-based: pointers to keys stay valid across rehashing.
  std::unordered_map<std::string, user_entry> users_;
  // Users by last update, least recent first; event time grows with
  // processing order up to small skew, so the idle ones gather at the front.
  std::list<const std::string*> lru_;
  std::size_t buffered_ = 0;
  std::int64_t max_event_time_ = 0;
};

} // namespace txstream
