#include "actors/kafka/ingress_actor.hpp"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <thread>

#include <sys/resource.h>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/kafka/consumer.hpp"
#include "actors/merchant_aggregator_actor.hpp"
#include "actors/partition_consumer_actor.hpp"
#include "messages/atoms.hpp"
#include "messages/inspect.hpp"
#include "messages/pipeline_messages.hpp"

namespace txstream::kafka {

namespace {

using clock = std::chrono::steady_clock;

/// A partition with this many batches queued is busy: one more batch would
/// wait anyway, so new records may linger to join a bigger one.
constexpr std::uint64_t busy_pipeline_batches = 2;

/// Most messages taken from librdkafka per call.
constexpr std::size_t consume_batch_size = 256;

std::int64_t elapsed_ms(clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - since)
    .count();
}

/// Everything the ingress knows about one assigned partition.
struct partition_slot {
  caf::actor consumer;
  raw_batch pending;               // records read, not yet handed over
  std::int64_t commit_offset = -1;  // latest commit point reported
  std::string commit_metadata;
  bool commit_dirty = false;
  std::int64_t end_offset = -1;     // offset after the last record (EOF)
  bool at_end = false;
  bool held = false;  // pipeline full: records wait here, reading stops
  clock::time_point pending_since;  // when the oldest pending record was read
  std::int64_t next_offset = -1;  // after the last record read
  std::uint64_t sent = 0;  // batches handed to the consumer
  /// Published by the partition-consumer.
  std::shared_ptr<partition_load> load = std::make_shared<partition_load>();

  /// Batches in the consumer's mailbox plus those queued behind it.
  std::uint64_t outstanding() const {
    return sent - load->routed.load(std::memory_order_acquire)
           + load->queued.load(std::memory_order_acquire);
  }
};

struct partition_list_deleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using partition_list = std::unique_ptr<rd_kafka_topic_partition_list_t,
                                       partition_list_deleter>;

class ingress {
public:
  ingress(caf::blocking_actor* self, ingress_config cfg,
          std::vector<caf::actor> shards, caf::actor sink,
                   caf::actor alert_sink,
          const pipeline_context* ctx)
    : self_(self),
      cfg_(std::move(cfg)),
      shards_(std::move(shards)),
      sink_(std::move(sink)),
      alert_sink_(std::move(alert_sink)),
      ctx_(ctx),
      topic_(ctx->topics.transactions.name) {
    auto s = cfg_.consumer;
    s.emplace_back("enable.auto.commit", "false");
    s.emplace_back("enable.auto.offset.store", "false");
    s.emplace_back("auto.offset.reset", "earliest");
    s.emplace_back("partition.assignment.strategy", "cooperative-sticky");
    s.emplace_back("enable.partition.eof", "true");
    s.emplace_back("isolation.level", "read_committed");
    consumer_ = std::make_unique<consumer>(
      s, std::vector<std::string>{topic_},
      [this](const rebalance_event& ev) { on_rebalance(ev); });
  }

  /// Leaves the group while the partition slots still exist: closing runs
  /// the revocation callback, which commits from them.
  ~ingress() {
    if (consumer_)
      consumer_->close();
  }

  ingress(const ingress&) = delete;
  ingress& operator=(const ingress&) = delete;

  /// Runs until drained, stopped or failed; returns the exit reason.
  caf::error run() {
    auto last_commit = clock::now();
    auto last_data = clock::now();
    clock::time_point flush_started;
    bool drained = false;
    while (!failure_) {
      if (cfg_.stop != nullptr && cfg_.stop->load())
        break;
      bool got = read_some();
      if (got)
        last_data = clock::now();
      hand_over();
      serve_mailbox();
      if (elapsed_ms(last_commit) >= cfg_.commit_interval_ms) {
        commit(true);
        report_lag();
        last_commit = clock::now();
      }
      if (cfg_.until_drained && !slots_.empty() && all_at_end()
          && elapsed_ms(last_data) >= cfg_.drain_idle_ms) {
        if (!flushing_) {
          // End of input: let every window close so all offsets can commit.
          for (const auto& [p, slot] : slots_)
            for (const auto& shard : shards_)
              self_->send(shard, partition_end{p});
          for (const auto& shard : shards_)
            self_->send(shard, flush_atom::value);
          flushing_ = true;
          flush_started = clock::now();
        }
        if (all_committed_to_end()) {
          commit(false);
          log_drained(flush_started);
          drained = true;
          break;
        }
      }
    }
    if (failure_)
      return failure_;
    shutdown(drained);
    return caf::none;
  }

private:
  /// The end of a drain, with the time the work took: from the first
  /// record read after the last partition assignment (as the raw consumer
  /// of bench/e2e is timed from its first record) until every partition
  /// had settled (all batches done, outputs delivered), plus the final
  /// flush of open windows; the idle wait that detects the end of input is
  /// not work. Also the wait from that assignment to the first record.
  /// Benchmarks read this line instead of polling /metrics, which takes CPU
  /// from the node.
  void log_drained(clock::time_point flush_started) const {
    std::int64_t settled_ns = 0;
    for (const auto& [p, slot] : slots_)
      settled_ns = std::max(settled_ns,
                            slot.load->settled_at_ns.load(std::memory_order_acquire));
    const auto settled = clock::time_point{clock::duration{settled_ns}};
    const auto first = first_record_at_.value_or(assigned_at_);
    using std::chrono::duration_cast;
    using std::chrono::microseconds;
    // The flush overlaps the processing when that lagged past the idle
    // wait; only the part after the last settling adds to the work.
    const auto flush = duration_cast<microseconds>(
      clock::now() - std::max(flush_started, settled));
    const auto work = duration_cast<microseconds>(
      std::max(settled - first, clock::duration::zero())) + flush;
    const auto first_wait = duration_cast<microseconds>(first - assigned_at_);
    rusage use{};
    getrusage(RUSAGE_SELF, &use);
    auto ms = [](const timeval& tv) {
      return static_cast<std::int64_t>(tv.tv_sec) * 1000 + tv.tv_usec / 1000;
    };
    spdlog::info("ingress: input drained and committed: records={} busy_us={} "
                 "flush_us={} first_record_after_us={} cpu_user_ms={} cpu_sys_ms={}",
                 records_read_, work.count(), flush.count(), first_wait.count(),
                 ms(use.ru_utime), ms(use.ru_stime));
  }

  /// One message or event from librdkafka; true for a record taken.
  bool take(const rd_kafka_message_t& msg) {
    const auto max = ctx_->pipeline.max_batch_records;
    const auto partition = msg.partition;
    switch (msg.err) {
      case RD_KAFKA_RESP_ERR_NO_ERROR: {
        auto it = slots_.find(partition);
        if (it == slots_.end())
          return false;  // revoked meanwhile
        auto& slot = it->second;
        // A pause/resume may make librdkafka fetch a range again.
        if (msg.offset < slot.next_offset)
          return false;
        slot.next_offset = msg.offset + 1;
        slot.at_end = false;
        if (slot.pending.records.empty())
          slot.pending_since = clock::now();
        std::string_view key;
        if (msg.key != nullptr)
          key = {static_cast<const char*>(msg.key), msg.key_len};
        if (!first_record_at_)
          first_record_at_ = clock::now();
        ++records_read_;
        slot.pending.add(msg.offset, key,
                         {static_cast<const char*>(msg.payload), msg.len});
        if (slot.pending.records.size() >= max)
          flush_slot(slot);
        return true;
      }
      case RD_KAFKA_RESP_ERR__PARTITION_EOF:
        if (auto it = slots_.find(partition); it != slots_.end()) {
          it->second.at_end = true;
          it->second.end_offset = msg.offset;
        }
        return false;
      case RD_KAFKA_RESP_ERR__TIMED_OUT:
        return false;
      default:
        // librdkafka recovers from transient errors by itself; a fatal
        // one ends the pipeline so the supervisor can restart it.
        if (msg.err == RD_KAFKA_RESP_ERR__FATAL) {
          failure_ = caf::make_error(caf::sec::runtime_error,
                                     std::string{"kafka consumer fatal error: "}
                                       + rd_kafka_message_errstr(&msg));
          return false;
        }
        spdlog::warn("ingress: consumer error: {}", rd_kafka_message_errstr(&msg));
        return false;
    }
  }

  bool read_some() {
    bool got = false;
    const auto max = ctx_->pipeline.max_batch_records;
    // Backpressure without pause/resume (which makes librdkafka drop its
    // prefetched records and fetch them again): while a partition's pipeline
    // is full and records wait for it, stop reading. librdkafka's bounded
    // prefetch queue then holds back the fetcher.
    for (const auto& [p, slot] : slots_)
      if (slot.held && slot.pending.records.size() >= max) {
        std::this_thread::sleep_for(std::chrono::microseconds(500));
        return false;
      }
    std::size_t taken = 0;
    while (taken < max * 4) {
      // Take no more than fit into the fullest partition's pending batch, so
      // a held partition never holds more than max_batch_records.
      std::size_t fullest = 0;
      for (const auto& [p, slot] : slots_)
        fullest = std::max(fullest, slot.pending.records.size());
      const auto room = std::min<std::size_t>(consume_batch_size,
                                              max > fullest ? max - fullest : 1);
      // Records lingering for a bigger batch must not wait on a long poll,
      // nor the end of a drain: the commits that finish it arrive in the
      // mailbox, which is read between polls (with 50 ms polls the drained
      // node noticed its last commit ~50 ms late: flush_us was 102-103 ms
      // in every run, BENCHMARKS.md "Session 8: what changed").
      const auto& batch = consumer_->consume_batch(
        taken > 0 ? 0 : any_pending() || flushing_ ? 1 : 50, room);
      if (batch.empty())
        break;
      taken += batch.size();
      for (const auto* msg : batch)
        got |= take(*msg);
      if (failure_)
        return got;
      for (const auto& [p, slot] : slots_)
        if (slot.held && slot.pending.records.size() >= max)
          return got;
    }
    return got;
  }

  /// Hands the pending records of p over, unless p has too many batches
  /// outstanding: then they wait (bounded memory) until it catches up. While
  /// p's pipeline is busy, a small batch lingers to grow (batch_linger_ms).
  void flush_slot(partition_slot& slot) {
    const auto limit = ctx_->pipeline.max_in_flight_batches;
    const auto outstanding = slot.outstanding();
    slot.held = outstanding >= limit;
    if (slot.pending.records.empty() || slot.held)
      return;
    if (outstanding >= busy_pipeline_batches
        && slot.pending.records.size() < ctx_->pipeline.max_batch_records
        && elapsed_ms(slot.pending_since) < ctx_->pipeline.batch_linger_ms)
      return;
    ++slot.sent;
    raw_batch batch;
    std::swap(batch, slot.pending);
    if (ctx_->raw_batches != nullptr)
      slot.pending = ctx_->raw_batches->take();
    slot.pending.partition = batch.partition;
    // Sized like the last batch, unless recycled. Never reserve a recycled
    // buffer to another's capacity: std::string doubles on a small increase,
    // and capacities passed around the pool grew without bound (a live run
    // reached 1.2 GB buffers).
    if (slot.pending.bytes.capacity() < batch.bytes.size())
      slot.pending.bytes.reserve(batch.bytes.size());
    if (slot.pending.records.capacity() < batch.records.size())
      slot.pending.records.reserve(batch.records.size());
    self_->send(slot.consumer, std::move(batch));
  }

  bool any_pending() const {
    for (const auto& [p, slot] : slots_)
      if (!slot.pending.records.empty())
        return true;
    return false;
  }

  void hand_over() {
    for (auto& [p, slot] : slots_)
      flush_slot(slot);
  }

  void serve_mailbox() {
    while (!self_->mailbox().empty()) {
      self_->receive(
        [&](commit_atom, std::int32_t p, std::int64_t offset, std::string& meta) {
          if (auto it = slots_.find(p); it != slots_.end() && offset >= 0) {
            it->second.commit_offset = offset;
            it->second.commit_metadata = std::move(meta);
            it->second.commit_dirty = true;
          }
        },
        [&](caf::down_msg& dm) {
          if (dm.reason)
            failure_ = dm.reason;
        },
        [&](caf::exit_msg& em) {
          failure_ = em.reason ? em.reason
                               : caf::make_error(caf::exit_reason::user_shutdown);
        },
        caf::after(std::chrono::seconds(0)) >> [] {});
    }
  }

  /// Commits every partition whose commit point moved, with its metadata.
  void commit(bool async) {
    partition_list list{rd_kafka_topic_partition_list_new(4)};
    for (auto& [p, slot] : slots_) {
      if (!slot.commit_dirty)
        continue;
      auto* tp = rd_kafka_topic_partition_list_add(list.get(), topic_.c_str(), p);
      tp->offset = slot.commit_offset;
      // librdkafka frees metadata with the list, so hand it a malloc'd copy.
      tp->metadata = std::malloc(slot.commit_metadata.size());
      std::memcpy(tp->metadata, slot.commit_metadata.data(),
                  slot.commit_metadata.size());
      tp->metadata_size = slot.commit_metadata.size();
      slot.commit_dirty = false;
    }
    if (list->cnt == 0)
      return;
    auto err = rd_kafka_commit(consumer_->handle().c_ptr(), list.get(), async ? 1 : 0);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
      spdlog::warn("ingress: commit failed: {}", rd_kafka_err2str(err));
  }

  /// Lag = high watermark (as librdkafka last saw it, no request) minus the
  /// next offset to read.
  void report_lag() {
    if (ctx_->metrics == nullptr)
      return;
    for (const auto& [p, slot] : slots_) {
      std::int64_t low = 0;
      std::int64_t high = 0;
      if (rd_kafka_get_watermark_offsets(consumer_->handle().c_ptr(), topic_.c_str(),
                                         p, &low, &high)
            == RD_KAFKA_RESP_ERR_NO_ERROR
          && high >= 0 && slot.next_offset >= 0)
        ctx_->metrics->consumer_lag(p, std::max<std::int64_t>(0, high - slot.next_offset));
    }
  }

  bool all_at_end() const {
    for (const auto& [p, slot] : slots_)
      if (!slot.at_end || !slot.pending.records.empty())
        return false;
    return true;
  }

  bool all_committed_to_end() const {
    for (const auto& [p, slot] : slots_)
      if (slot.end_offset >= 0 && slot.commit_offset < slot.end_offset)
        return false;
    return true;
  }

  void on_rebalance(const rebalance_event& ev) {
    if (ev.assigned)
      assign(ev.partitions);
    else
      revoke(ev.partitions);
  }

  void assign(const std::vector<std::int32_t>& parts) {
    partition_list list{rd_kafka_topic_partition_list_new(static_cast<int>(parts.size()))};
    for (auto p : parts)
      rd_kafka_topic_partition_list_add(list.get(), topic_.c_str(), p);
    auto* rk = consumer_->handle().c_ptr();
    auto err = rd_kafka_committed(rk, list.get(), 10000);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
      spdlog::warn("ingress: cannot read committed offsets: {}", rd_kafka_err2str(err));
    for (int i = 0; i < list->cnt; ++i) {
      const auto& tp = list->elems[i];
      std::string meta;
      if (tp.metadata != nullptr)
        meta.assign(static_cast<const char*>(tp.metadata), tp.metadata_size);
      auto resume = decode_commit_metadata(tp.offset, meta);
      std::int64_t low = 0;
      std::int64_t high = 0;
      rd_kafka_query_watermark_offsets(rk, topic_.c_str(), tp.partition, &low,
                                       &high, 10000);
      if (resume.offset < 0)
        resume.offset = low;
      partition_restore restore{resume.offset, resume.max_event_time_ms, high - 1};
      partition_slot slot;
      slot.pending.partition = tp.partition;
      slot.commit_offset = resume.offset;
      slot.consumer = self_->spawn(partition_consumer_actor, tp.partition, resume,
                                   shards_, sink_, alert_sink_, caf::actor{self_},
                                   slot.load,
                                   ctx_);
      self_->monitor(slot.consumer);
      for (const auto& shard : shards_)
        self_->send(shard, upstream_atom::value, tp.partition, slot.consumer, restore);
      spdlog::info("ingress: assigned partition {} from offset {}", tp.partition,
                   resume.offset);
      slots_[tp.partition] = std::move(slot);
    }
    assigned_at_ = clock::now();
    first_record_at_.reset();
  }

  void revoke(const std::vector<std::int32_t>& parts) {
    commit(false);
    for (auto p : parts) {
      auto it = slots_.find(p);
      if (it == slots_.end())
        continue;
      self_->demonitor(it->second.consumer);
      self_->send_exit(it->second.consumer, caf::exit_reason::user_shutdown);
      slots_.erase(it);
      spdlog::info("ingress: revoked partition {}", p);
    }
  }

  void shutdown(bool drained) {
    // Give in-flight batches a moment to finish so the final commit is as
    // far along as it can be; open windows keep their records uncommitted.
    hand_over();
    auto start = clock::now();
    while (!drained && elapsed_ms(start) < 2000) {
      serve_mailbox();
      if (failure_)
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    commit(false);
    for (auto& [p, slot] : slots_)
      self_->send_exit(slot.consumer, caf::exit_reason::user_shutdown);
    consumer_->close();
  }

  caf::blocking_actor* self_;
  ingress_config cfg_;
  std::vector<caf::actor> shards_;
  caf::actor sink_;
  caf::actor alert_sink_;
  const pipeline_context* ctx_;
  std::string topic_;
  std::unique_ptr<consumer> consumer_;
  std::map<std::int32_t, partition_slot> slots_;
  clock::time_point assigned_at_ = clock::now();  // of the last assignment
  std::optional<clock::time_point> first_record_at_;  // since then
  bool flushing_ = false;  // --until-drained: the input ended, windows flush
  std::uint64_t records_read_ = 0;
  caf::error failure_;
};

} // namespace

void ingress_actor(caf::blocking_actor* self, ingress_config cfg,
                   std::vector<caf::actor> shards, caf::actor sink,
                   caf::actor alert_sink,
                   const pipeline_context* ctx) {
  ingress in{self,           std::move(cfg),        std::move(shards),
             std::move(sink), std::move(alert_sink), ctx};
  if (auto err = in.run())
    self->fail_state(std::move(err));
}

} // namespace txstream::kafka
