// Pure logic of one partition's fraud detector: per-user history, the six
// rules, per-rule cooldowns and bounded memory through idle-user eviction.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <unordered_map>

#include <absl/container/flat_hash_map.h>

#include "actors/fraud_rules.hpp"
#include "actors/idle_queue.hpp"
#include "config/fraud_rules_config.hpp"
#include "messages/anomaly.hpp"
#include "messages/transaction.hpp"

namespace txstream {

/// Evaluates the transactions of one partition, in offset order. Every
/// window is event time; wall clock only fills anomaly::detected_at_ms.
class fraud_detector_state {
public:
  /// Hashes user ids for the index; tests pass a weak one to force collisions.
  using hash_function = std::uint64_t (*)(std::string_view user_id);

  explicit fraud_detector_state(const fraud_rules_config& cfg, hash_function hash = default_hash);

  static std::uint64_t default_hash(std::string_view user_id);

  /// Runs all enabled rules on `t` and appends what fires to `out`. A rule
  /// that fired for a user stays silent for that user until its cooldown
  /// (event time) has passed. Also evicts users idle for longer than the
  /// retention plus the configured slack behind the newest event time.
  void process(const transaction& t, std::int64_t now_ms, std::vector<anomaly>& out);

  /// process() for each of `txns` in order; same results, but the index
  /// entries of upcoming users are prefetched while earlier ones run, so
  /// the cache misses of a large user table overlap.
  void process_batch(const std::vector<transaction>& txns, std::int64_t now_ms,
                     std::vector<anomaly>& out);

  /// Transactions of the partition below `offset` are re-read history (a
  /// restart rebuilding the users' state): they change the state as ever,
  /// but what they fire was reported before the restart and is dropped.
  void replay_until(std::int64_t offset) noexcept {
    replay_until_ = offset;
  }

  /// Drops every user whose newest event time is older than
  /// `watermark_ms - config().retention_ms()`; returns how many.
  std::size_t evict_idle(std::int64_t watermark_ms);

  /// Users currently held.
  std::size_t user_count() const {
    std::size_t n = collided_.size();
    for (const auto& part : index_)
      n += part.size();
    return n;
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
  // One user's state in a reusable slot: an evicted user's slot (and the
  // capacity of its history vector) serves the next new user.
  // Most users have one transaction in the window, and every new user's
  // slot is fresh memory the kernel faults in: at 208 bytes the slots were
  // half the node's page faults draining 2 M records of new users.
  struct user_slot {
    packed_id user_id;
    user_history history;
  };
  // docs/fraud-rules.md quotes this size; keep it from growing unnoticed.
  static_assert(sizeof(user_slot) <= 128, "per-user detector state grew");

  void process_hashed(const transaction& t, std::uint64_t user_hash, std::int64_t now_ms,
                      std::vector<anomaly>& out);
  user_slot& slot_for(std::string_view user_id, std::uint64_t hash, std::int64_t event_time_ms);
  std::uint32_t new_slot(std::string_view user_id, std::int64_t event_time_ms);
  void forget(std::uint32_t id);
  user_slot& slot(std::uint32_t id) {
    return chunks_[id / slots_per_chunk][id % slots_per_chunk];
  }
  void trim(user_history& h);
  void run_rules(const transaction& t, user_history& h, std::int64_t now_ms,
                 std::vector<anomaly>& out);

  fraud_rules_config cfg_;
  hash_function hash_;
  // Slots in fixed chunks: one allocation serves a thousand users.
  static constexpr std::uint32_t slots_per_chunk = 1024;
  std::vector<std::unique_ptr<user_slot[]>> chunks_;
  std::uint32_t slot_count_ = 0;
  std::vector<std::uint32_t> free_slots_;
  // Slot by 64-bit hash of the user id. Growing it rehashes plain integers;
  // keyed on the ids themselves, each rehash read every id from its slot,
  // a cache miss each, and stalled the detector for ~100 ms at 500k users.
  // A user whose hash another held user already has lives in collided_.
  // The index is split by the hash's top bits into parts that grow (rehash)
  // one at a time: one table of a million users took ~100 ms to grow, and
  // the detectors of all partitions, fed evenly, grew theirs at the same
  // moment, stalling every partition at once (latency spikes of 100+ ms).
  static constexpr int index_part_bits = 6;
  using index_part = absl::flat_hash_map<std::uint64_t, std::uint32_t>;
  std::array<index_part, std::size_t{1} << index_part_bits> index_;
  index_part& index_of(std::uint64_t hash) {
    return index_[hash >> (64 - index_part_bits)];
  }
  std::unordered_map<std::string, std::uint32_t> collided_;
  // One entry per held user, ordered by a time at or before its newest event:
  // eviction pops entries behind the horizon and re-queues users active since,
  // so a touch costs nothing and eviction is exact.
  idle_queue idle_;
  std::vector<std::uint64_t> hashes_;  // scratch of process_batch()
  // Scratch of run_rules(): a rule's check fills it only on a hit, so one
  // default-constructed anomaly serves every miss.
  anomaly candidate_;
  std::size_t buffered_ = 0;
  std::int64_t max_event_time_ = 0;
  std::int64_t replay_until_ = -1;
};

}  // namespace txstream
