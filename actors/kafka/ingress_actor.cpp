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

#include "actors/ingress_state.hpp"
#include "actors/kafka/consumer.hpp"
#include "actors/merchant_aggregator_actor.hpp"
#include "actors/partition_consumer_actor.hpp"
#include "messages/atoms.hpp"
#include "messages/inspect.hpp"
#include "messages/pipeline_messages.hpp"

namespace txstream::kafka {

namespace {

using clock = std::chrono::steady_clock;

/// Most messages taken from librdkafka between two looks at the mailbox.
constexpr std::size_t consume_batch_size = 256;

/// Longest wait for the broker's answer about log ends: the loop stops
/// reading meanwhile, and an unanswered query confirms nothing.
constexpr int log_end_query_timeout_ms = 1000;

/// Most often the fetcher is woken while the node waits for records.
constexpr auto wake_interval = std::chrono::milliseconds(20);

std::int64_t elapsed_ms(clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - since).count();
}

/// Milliseconds of the monotonic clock, ingress_state's time.
std::int64_t mono_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now().time_since_epoch())
    .count();
}

struct partition_list_deleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using partition_list = std::unique_ptr<rd_kafka_topic_partition_list_t, partition_list_deleter>;

ingress_limits limits_of(const ingress_config& cfg, const pipeline_context& ctx) {
  ingress_limits l;
  l.max_batch_records = ctx.pipeline.max_batch_records;
  l.max_in_flight_batches = in_flight_batches_per_partition(
    ctx.memory != nullptr ? ctx.memory->plan() : memory_plan{}, ctx.pipeline, 1);
  l.batch_linger_ms = ctx.pipeline.batch_linger_ms;
  l.idle_timeout_ms = ctx.aggregation.idle_partition_timeout_ms;
  l.until_drained = cfg.until_drained;
  l.drain_idle_ms = cfg.drain_idle_ms;
  l.whole_input_partitions = cfg.whole_input_partitions;
  return l;
}

/// The I/O around ingress_state: librdkafka, the partition-consumers, the
/// shards' end-of-input messages.
class ingress {
public:
  ingress(caf::blocking_actor* self, ingress_config cfg, shard_routes routes,
          std::vector<caf::actor> hosts, caf::actor sink, caf::actor alert_sink,
          const pipeline_context* ctx)
    : self_(self),
      cfg_(std::move(cfg)),
      routes_(std::move(routes)),
      hosts_(std::move(hosts)),
      sink_(std::move(sink)),
      alert_sink_(std::move(alert_sink)),
      ctx_(ctx),
      topic_(ctx->topics.transactions.name),
      state_(limits_of(cfg_, *ctx), ctx->raw_batches) {
    log_ends_ = make_c_client(RD_KAFKA_PRODUCER, cfg_.client);
    start_consuming();
  }

  /// Leaves the group while the partition slots still exist: closing runs
  /// the revocation callback, which commits from them.
  ~ingress() {
    close_consumer();
  }

  ingress(const ingress&) = delete;
  ingress& operator=(const ingress&) = delete;

  void start_consuming() {
    auto s = cfg_.consumer;
    s.emplace_back("enable.auto.commit", "false");
    s.emplace_back("enable.auto.offset.store", "false");
    s.emplace_back("auto.offset.reset", "earliest");
    // Eager: a rebalance revokes everything and assigns anew in one round.
    // With cooperative-sticky, librdkafka 2.0 let a consumer's close hang
    // and its committed-offset reads time out while cluster nodes joined
    // one after another.
    s.emplace_back("partition.assignment.strategy", "roundrobin");
    s.emplace_back("enable.partition.eof", "true");
    s.emplace_back("isolation.level", "read_committed");
    consumer_ = std::make_unique<consumer>(s, std::vector<std::string>{topic_},
                                           [this](rebalance_event& ev) { on_rebalance(ev); });
  }

  /// Runs until drained, stopped or failed; returns the exit reason.
  caf::error run() {
    auto last_commit = clock::now();
    clock::time_point flush_started;
    bool drained = false;
    while (!failure_) {
      if (cfg_.stop != nullptr && cfg_.stop->load())
        break;
      read_some();
      note_memory();
      confirm_log_ends();
      report_idleness();
      hand_over();
      serve_mailbox();
      if (elapsed_ms(last_commit) >= cfg_.commit_interval_ms) {
        commit(true);
        report_lag();
        last_commit = clock::now();
      }
      switch (state_.drain(mono_ms())) {
        case ingress_state::drain_step::none: break;
        case ingress_state::drain_step::flush:
          // End of input: each consumer tells every host after its last
          // batch; hosts close every window once all partitions ended, so
          // all offsets can commit.
          for (const auto& [p, c] : consumers_)
            self_->send(c.actor, end_atom::value);
          flush_started = clock::now();
          break;
        case ingress_state::drain_step::resumed:
          spdlog::warn("ingress: records arrived after the input seemed to end; "
                       "windows the flush closed stay closed (their records are "
                       "dead-lettered as late), the drain waits for the next end");
          break;
        case ingress_state::drain_step::done:
          commit(false);
          log_drained(flush_started);
          drained = true;
          break;
      }
      if (drained)
        break;
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
    for (const auto& [p, c] : consumers_)
      settled_ns = std::max(settled_ns, c.load->settled_at_ns.load(std::memory_order_acquire));
    const auto settled = clock::time_point{clock::duration{settled_ns}};
    const auto first = first_record_at_.value_or(assigned_at_);
    using std::chrono::duration_cast;
    using std::chrono::microseconds;
    // The flush overlaps the processing when that lagged past the idle
    // wait; only the part after the last settling adds to the work.
    const auto flush = duration_cast<microseconds>(clock::now() - std::max(flush_started, settled));
    const auto work = duration_cast<microseconds>(
                        std::max(settled - first, clock::duration::zero()))
                      + flush;
    const auto first_wait = duration_cast<microseconds>(first - assigned_at_);
    rusage use{};
    getrusage(RUSAGE_SELF, &use);
    auto ms = [](const timeval& tv) {
      return static_cast<std::int64_t>(tv.tv_sec) * 1000 + tv.tv_usec / 1000;
    };
    spdlog::info("ingress: input drained and committed: records={} busy_us={} "
                 "flush_us={} first_record_after_us={} cpu_user_ms={} cpu_sys_ms={} "
                 "peak_rss_kb={} peak_in_flight_kb={} peak_output_kb={}",
                 state_.records_read(), work.count(), flush.count(), first_wait.count(),
                 ms(use.ru_utime), ms(use.ru_stime), use.ru_maxrss, peak_in_flight_ / 1024,
                 peak_output_ / 1024);
  }

  /// One message or event from librdkafka.
  void take(const rd_kafka_message_t& msg) {
    switch (msg.err) {
      case RD_KAFKA_RESP_ERR_NO_ERROR: {
        std::string_view key;
        if (msg.key != nullptr)
          key = {static_cast<const char*>(msg.key), msg.key_len};
        const auto now = mono_ms();
        if (!state_.on_record(msg.partition, msg.offset, key,
                              {static_cast<const char*>(msg.payload), msg.len},
                              rd_kafka_message_timestamp(&msg, nullptr), now))
          return;
        if (!first_record_at_)
          first_record_at_ = clock::now();
        if (state_.pending_records(msg.partition) >= state_.limits().max_batch_records)
          send_batch(msg.partition, now);
        return;
      }
      case RD_KAFKA_RESP_ERR__PARTITION_EOF:
        state_.on_end_of_partition(msg.partition, msg.offset);
        return;
      case RD_KAFKA_RESP_ERR__TIMED_OUT: return;
      default:
        // librdkafka recovers from transient errors by itself; a fatal
        // one ends the pipeline so the supervisor can restart it.
        if (msg.err == RD_KAFKA_RESP_ERR__FATAL) {
          failure_ = caf::make_error(caf::sec::runtime_error,
                                     std::string{"kafka consumer fatal error: "}
                                       + rd_kafka_message_errstr(&msg));
          return;
        }
        spdlog::warn("ingress: consumer error: {}", rd_kafka_message_errstr(&msg));
        return;
    }
  }

  void read_some() {
    // Backpressure without pause/resume (which makes librdkafka drop its
    // prefetched records and fetch them again): while a partition's pipeline
    // is full and records wait for it, stop reading. librdkafka's bounded
    // prefetch queue then holds back the fetcher.
    if (state_.reading_blocked() || output_full()) {
      std::this_thread::sleep_for(std::chrono::microseconds(500));
      return;
    }
    const auto max = state_.limits().max_batch_records;
    std::size_t taken = 0;
    while (taken < max * 4) {
      // Records lingering for a bigger batch must not wait on a long poll,
      // nor the end of a drain: the commits that finish it arrive in the
      // mailbox, which is read between polls.
      const int timeout = taken > 0 ? 0 : state_.any_pending() || state_.flushing() ? 1 : 50;
      const auto& batch = consumer_->poll_some(timeout, state_.room(consume_batch_size));
      if (batch.empty()) {
        if (taken == 0)
          wake_fetcher();
        break;
      }
      taken += batch.size();
      for (const auto* msg : batch)
        take(*msg);
      if (failure_ || state_.reading_blocked())
        return;
    }
  }

  /// Nothing to read although records wait in Kafka: librdkafka 2.0 stops
  /// fetching once its prefetch queue is full and looks at it again only
  /// when its broker thread wakes up, about a second later (2.2 added
  /// fetch.queue.backoff.ms for this). A request to the leaders of the
  /// partitions with records waiting, on the consumer's own client, wakes
  /// their threads at once, so a small prefetch (a memory budget) does not
  /// starve the node after each pause.
  void wake_fetcher() {
    const auto now = clock::now();
    if (now - last_wake_ < wake_interval)
      return;
    last_wake_ = now;
    auto* rk = consumer_->handle().c_ptr();
    partition_list waiting{rd_kafka_topic_partition_list_new(4)};
    for (auto p : state_.partitions()) {
      std::int64_t low = 0;
      std::int64_t high = 0;
      if (rd_kafka_get_watermark_offsets(rk, topic_.c_str(), p, &low, &high)
            == RD_KAFKA_RESP_ERR_NO_ERROR
          && high > state_.next_offset(p))
        rd_kafka_topic_partition_list_add(waiting.get(), topic_.c_str(), p)->offset =
          RD_KAFKA_OFFSET_END;
    }
    // One request per leader; the answer itself is not needed.
    if (waiting->cnt > 0)
      rd_kafka_offsets_for_times(rk, waiting.get(), log_end_query_timeout_ms);
  }

  /// Asks the broker for the log end of silent partitions, all in one
  /// request per leader: librdkafka's cached high watermark is as old as the
  /// last fetch, which may have stalled while records piled up. The answer
  /// is the last stable offset, where a read_committed consumer stops.
  void confirm_log_ends() {
    due_.clear();
    state_.confirmations_due(mono_ms(), due_);
    if (due_.empty())
      return;
    partition_list list{rd_kafka_topic_partition_list_new(static_cast<int>(due_.size()))};
    for (auto p : due_)
      rd_kafka_topic_partition_list_add(list.get(), topic_.c_str(), p)->offset =
        RD_KAFKA_OFFSET_END;  // as a timestamp: "the latest"
    auto err = rd_kafka_offsets_for_times(log_ends_.get(), list.get(), log_end_query_timeout_ms);
    const auto now = mono_ms();
    for (int i = 0; i < list->cnt; ++i) {
      const auto& tp = list->elems[i];
      const bool known = err == RD_KAFKA_RESP_ERR_NO_ERROR && tp.err == RD_KAFKA_RESP_ERR_NO_ERROR
                         && tp.offset >= 0;
      state_.on_log_end(tp.partition, known ? tp.offset : -1, now);
      spdlog::debug("ingress: partition {} log end {}, read to {}", tp.partition,
                    known ? tp.offset : -1, state_.next_offset(tp.partition));
    }
  }

  /// Tells partition-consumers that their partition became idle or busy,
  /// before any batch read since.
  void report_idleness() {
    changes_.clear();
    state_.idle_changes(mono_ms(), changes_);
    for (const auto& [p, idle] : changes_) {
      if (auto it = consumers_.find(p); it != consumers_.end())
        self_->send(it->second.actor, idle_atom::value, idle);
      spdlog::info("ingress: partition {} {}", p,
                   idle ? "is idle (read to its end, nothing new for the idle timeout)"
                        : "has records again");
    }
  }

  void send_batch(std::int32_t p, std::int64_t now_ms) {
    raw_batch batch;
    if (!state_.take_batch(p, now_ms, batch))
      return;
    if (ctx_->memory != nullptr)
      ctx_->memory->count_in_flight(batch);
    if (auto it = consumers_.find(p); it != consumers_.end())
      self_->send(it->second.actor, std::move(batch));
  }

  /// The most the pipeline's batches and output held at once (sampled).
  void note_memory() {
    if (ctx_->memory == nullptr)
      return;
    peak_in_flight_ = std::max(peak_in_flight_, ctx_->memory->in_flight());
    peak_output_ = std::max(peak_output_, ctx_->memory->output());
  }

  /// Output waiting for a producer fills the budget's share: new batches
  /// would only add to it.
  bool output_full() const {
    return ctx_->memory != nullptr && ctx_->memory->output_full();
  }

  void hand_over() {
    if (output_full())
      return;
    const auto now = mono_ms();
    for (const auto& [p, c] : consumers_)
      send_batch(p, now);
  }

  void serve_mailbox() {
    while (!self_->mailbox().empty()) {
      self_->receive([&](commit_atom, std::int32_t p, std::int64_t offset,
                         std::string& meta) { state_.on_commit_point(p, offset, std::move(meta)); },
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
    commits_.clear();
    state_.take_commits(commits_);
    if (commits_.empty())
      return;
    partition_list list{rd_kafka_topic_partition_list_new(static_cast<int>(commits_.size()))};
    for (const auto& c : commits_) {
      auto* tp = rd_kafka_topic_partition_list_add(list.get(), topic_.c_str(), c.partition);
      tp->offset = c.offset;
      // librdkafka frees metadata with the list, so hand it a malloc'd copy.
      tp->metadata = std::malloc(c.metadata.size());
      std::memcpy(tp->metadata, c.metadata.data(), c.metadata.size());
      tp->metadata_size = c.metadata.size();
    }
    const auto started = clock::now();
    auto err = rd_kafka_commit(consumer_->handle().c_ptr(), list.get(), async ? 1 : 0);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
      spdlog::warn("ingress: commit failed: {}", rd_kafka_err2str(err));
    else if (ctx_->cluster_metrics != nullptr)
      ctx_->cluster_metrics->checkpoint_completed(clock::now() - started);
  }

  /// Lag = high watermark (as librdkafka last saw it, no request) minus the
  /// next offset to read.
  void report_lag() {
    if (ctx_->metrics == nullptr)
      return;
    for (auto p : state_.partitions()) {
      std::int64_t low = 0;
      std::int64_t high = 0;
      const auto next = state_.next_offset(p);
      if (rd_kafka_get_watermark_offsets(consumer_->handle().c_ptr(), topic_.c_str(), p, &low,
                                         &high)
            == RD_KAFKA_RESP_ERR_NO_ERROR
          && high >= 0 && next >= 0)
        ctx_->metrics->consumer_lag(p, std::max<std::int64_t>(0, high - next));
    }
  }

  void on_rebalance(rebalance_event& ev) {
    if (ctx_->cluster_metrics != nullptr)
      ctx_->cluster_metrics->rebalanced();
    if (ev.assigned && closing_)
      return;
    if (ev.assigned)
      ev.start_offsets = assign(ev.partitions);
    else
      revoke(ev.partitions);
  }

  /// Starts consumers for `parts` from their committed offsets; returns
  /// where reading starts: earlier, where the detector's re-read begins.
  std::vector<std::int64_t> assign(const std::vector<std::int32_t>& parts) {
    std::vector<std::int64_t> starts(parts.size(), -1);
    partition_list list{rd_kafka_topic_partition_list_new(static_cast<int>(parts.size()))};
    for (auto p : parts)
      rd_kafka_topic_partition_list_add(list.get(), topic_.c_str(), p);
    auto* rk = consumer_->handle().c_ptr();
    auto err = rd_kafka_committed(rk, list.get(), 10000);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
      spdlog::warn("ingress: cannot read committed offsets: {}", rd_kafka_err2str(err));
    const auto now = mono_ms();
    for (int i = 0; i < list->cnt; ++i) {
      const auto& tp = list->elems[i];
      std::string meta;
      if (tp.metadata != nullptr)
        meta.assign(static_cast<const char*>(tp.metadata), tp.metadata_size);
      auto resume = decode_commit_metadata(tp.offset, meta);
      // Asked on the client of its own: the consumer's connection may be
      // held by a long-polling fetch for half a second per request.
      std::int64_t low = 0;
      std::int64_t high = 0;
      rd_kafka_query_watermark_offsets(log_ends_.get(), topic_.c_str(), tp.partition, &low, &high,
                                       10000);
      if (resume.offset < 0)
        resume.offset = low;
      // Records the log no longer holds cannot be re-read.
      const auto from = std::clamp(resume.detector_from, std::min(low, resume.offset),
                                   resume.offset);
      partition_restore restore{resume.offset, resume.max_event_time_ms, high - 1, from};
      auto load = std::make_shared<partition_load>();
      auto actor = self_->spawn(partition_consumer_actor, tp.partition, restore, routes_, hosts_,
                                sink_, alert_sink_, caf::actor{self_}, load, ctx_);
      self_->monitor(actor);
      state_.assign(tp.partition, resume.offset, load, now, from);
      consumers_[tp.partition] = consumer_ref{actor, load};
      starts[static_cast<std::size_t>(i)] = from;  // `list` holds `parts` in order
      spdlog::info("ingress: assigned partition {} from offset {}{}", tp.partition, resume.offset,
                   from < resume.offset
                     ? fmt::format(", re-reading from {} for the fraud detector", from)
                     : std::string{});
    }
    const auto whole = cfg_.whole_input_partitions;
    if (whole > 0 && consumers_.size() < whole)
      spdlog::warn("ingress: assigned {} of the {} partitions of {}; windows wait for the rest, "
                   "which another member of the group holds (a stopped node's, until its "
                   "session times out)",
                   consumers_.size(), whole, topic_);
    assigned_at_ = clock::now();
    first_record_at_.reset();
    share_in_flight();
    tell_partitions();
    return starts;
  }

  /// The budget's share of batches in flight, divided among the partitions
  /// this node has now.
  void share_in_flight() {
    const auto plan = ctx_->memory != nullptr ? ctx_->memory->plan() : memory_plan{};
    state_.set_in_flight_limit(in_flight_batches_per_partition(
      plan, ctx_->pipeline, std::max<std::size_t>(1, consumers_.size())));
  }

  void revoke(const std::vector<std::int32_t>& parts) {
    commit(false);
    for (auto p : parts) {
      auto it = consumers_.find(p);
      if (it == consumers_.end())
        continue;
      self_->demonitor(it->second.actor);
      self_->send_exit(it->second.actor, caf::exit_reason::user_shutdown);
      consumers_.erase(it);
      state_.revoke(p);
      if (ctx_->metrics != nullptr)
        ctx_->metrics->forget_partition(p);
      spdlog::info("ingress: revoked partition {}", p);
    }
    share_in_flight();
    tell_partitions();
  }

  void tell_partitions() const {
    if (!ctx_->partitions_changed)
      return;
    std::vector<std::int32_t> parts;
    for (const auto& [p, c] : consumers_)
      parts.push_back(p);
    ctx_->partitions_changed(parts);
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
    close_consumer();
  }

  /// Leaves the group and stops every partition-consumer. Closing may still
  /// run a rebalance callback with an assignment the group handed out
  /// meanwhile: it starts no consumer, which nothing would stop (the actor
  /// system would wait for it forever when the node exits).
  void close_consumer() {
    closing_ = true;
    if (consumer_)
      consumer_->close();
    for (const auto& [p, c] : consumers_)
      self_->send_exit(c.actor, caf::exit_reason::user_shutdown);
    consumers_.clear();
  }

  /// A partition's consumer actor and what it publishes.
  struct consumer_ref {
    caf::actor actor;
    std::shared_ptr<partition_load> load;
  };

  caf::blocking_actor* self_;
  ingress_config cfg_;
  shard_routes routes_;
  std::vector<caf::actor> hosts_;
  caf::actor sink_;
  caf::actor alert_sink_;
  const pipeline_context* ctx_;
  std::string topic_;
  ingress_state state_;
  std::map<std::int32_t, consumer_ref> consumers_;
  std::unique_ptr<consumer> consumer_;
  handle_ptr log_ends_;                               // asks the broker for partitions' log ends
  clock::time_point assigned_at_ = clock::now();      // of the last assignment
  std::optional<clock::time_point> first_record_at_;  // since then
  caf::error failure_;
  bool closing_ = false;         // leaving the group: assignments start nothing
  clock::time_point last_wake_;  // of the fetcher, by wake_fetcher()
  std::int64_t peak_in_flight_ = 0;
  std::int64_t peak_output_ = 0;
  // Scratch of the loop's steps.
  std::vector<std::int32_t> due_;
  std::vector<std::pair<std::int32_t, bool>> changes_;
  std::vector<ingress_commit> commits_;
};

}  // namespace

void ingress_actor(caf::blocking_actor* self, ingress_config cfg, shard_routes routes,
                   std::vector<caf::actor> hosts, caf::actor sink, caf::actor alert_sink,
                   const pipeline_context* ctx) {
  ingress in{self,
             std::move(cfg),
             std::move(routes),
             std::move(hosts),
             std::move(sink),
             std::move(alert_sink),
             ctx};
  if (auto err = in.run())
    self->fail_state(std::move(err));
}

}  // namespace txstream::kafka
