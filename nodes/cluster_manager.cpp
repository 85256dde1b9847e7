#include "nodes/cluster_manager.hpp"

#include <algorithm>
#include <stdexcept>
#include <thread>

#include <spdlog/spdlog.h>

#include "config/cluster_config.hpp"
#include "config/kafka_config.hpp"
#include "messages/incarnation.hpp"

namespace txstream {

namespace {

std::int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

std::vector<std::string> role_names(const std::string& roles) {
  auto parsed = parse_roles(roles).roles;
  std::vector<std::string> out;
  if (parsed.ingest)
    out.emplace_back(ingest_role);
  if (parsed.aggregate)
    out.emplace_back(aggregate_role);
  return out;
}

kafka::settings with(kafka::settings base, const kafka::settings& own) {
  // The node's own settings first: [kafka.client] may override them.
  kafka::settings s{base.front()};  // bootstrap.servers
  s.insert(s.end(), own.begin(), own.end());
  s.insert(s.end(), base.begin() + 1, base.end());
  return s;
}

}  // namespace

cluster_manager::cluster_manager(const node_config& cfg, kafka::settings client,
                                 std::string version)
  : cfg_(cfg),
    client_(std::move(client)),
    version_(std::move(version)),
    started_ms_(wall_ms()),
    roles_(role_names(cfg.cluster.roles)),
    view_(cluster_view_config{cfg.node_id, cfg.aggregation.shards, cfg.cluster.node_timeout_ms,
                              2 * cfg.cluster.heartbeat_ms, 5000}) {
  if (client_.empty() || client_.front().first != "bootstrap.servers")
    throw std::invalid_argument("cluster_manager: bootstrap.servers must come first");
}

cluster_manager::~cluster_manager() {
  stop_ = true;
  if (thread_.joinable())
    thread_.join();
}

void cluster_manager::start() {
  const auto& topic = cfg_.topics.control.name;
  tail_ = kafka::make_c_client(
    RD_KAFKA_CONSUMER, with(client_, {{"group.id", cfg_.kafka.group_id + ".control-readers"},
                                      {"enable.auto.commit", "false"},
                                      {"enable.partition.eof", "true"},
                                      {"auto.offset.reset", "earliest"}}));
  rd_kafka_poll_set_consumer(tail_.get());
  std::int64_t low = 0;
  // A control topic created a moment ago may have no leader yet.
  rd_kafka_resp_err_t err;
  for (int attempt = 0;; ++attempt) {
    err = rd_kafka_query_watermark_offsets(tail_.get(), topic.c_str(), 0, &low, &catch_up_to_,
                                           10000);
    const bool electing = err == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION
                          || err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE;
    if (!electing || attempt >= 100)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw std::runtime_error("cannot read the control topic " + topic + ": "
                             + rd_kafka_err2str(err));
  auto* parts = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(parts, topic.c_str(), 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
  err = rd_kafka_assign(tail_.get(), parts);
  rd_kafka_topic_partition_list_destroy(parts);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw std::runtime_error("cannot read the control topic " + topic + ": "
                             + rd_kafka_err2str(err));
  caught_up_ = catch_up_to_ <= low;
  producer_ = kafka::make_c_client(RD_KAFKA_PRODUCER,
                                   with(client_, {{"acks", "all"}, {"linger.ms", "0"}}));
  // The member the group gives the control topic's only partition leads.
  // Its session timeout bounds how long a dead leader keeps leading.
  group_ = std::make_unique<kafka::consumer>(
    with(client_,
         {{"group.id", cfg_.kafka.group_id + ".control"},
          {"enable.auto.commit", "false"},
          {"session.timeout.ms", std::to_string(cfg_.kafka.session_timeout_ms)},
          {"heartbeat.interval.ms", std::to_string(group_heartbeat_interval_ms(cfg_.kafka))},
          {"auto.offset.reset", "latest"}}),
    std::vector<std::string>{topic}, [this](const kafka::rebalance_event& ev) {
      if (std::find(ev.partitions.begin(), ev.partitions.end(), 0) != ev.partitions.end())
        holds_control_partition_ = ev.assigned;
    });
  spdlog::info("cluster: node {} ({}) joins as {}, reading {} from its start ({} records)",
               cfg_.node_id, incarnation(), cfg_.cluster.roles, topic, catch_up_to_ - low);
  thread_ = std::thread([this] { run(); });
}

void cluster_manager::leave() {
  leaving_ = true;
  if (thread_.joinable())
    thread_.join();
}

std::string cluster_manager::incarnation() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return make_incarnation(started_ms_, generation_);
}

void cluster_manager::next_generation() {
  std::lock_guard<std::mutex> guard{mutex_};
  ++generation_;
  heartbeat_now_ = true;
}

std::optional<shard_map> cluster_manager::adopted() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return view_.adopted();
}

bool cluster_manager::barrier_passed(std::uint64_t version) const {
  std::lock_guard<std::mutex> guard{mutex_};
  return view_.barrier_passed(version, wall_ms());
}

bool cluster_manager::drained() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return view_.drained(wall_ms());
}

cluster_summary cluster_manager::summary() const {
  std::lock_guard<std::mutex> guard{mutex_};
  cluster_summary s;
  s.live_nodes = view_.members().live(wall_ms()).size();
  s.leader = view_.leader();
  s.leader_epoch = view_.leader_epoch();
  s.map_version = view_.adopted_version();
  return s;
}

void cluster_manager::report(node_activity activity, bool heartbeat_now) {
  std::lock_guard<std::mutex> guard{mutex_};
  activity_ = std::move(activity);
  heartbeat_now_ = heartbeat_now_ || heartbeat_now;
}

void cluster_manager::peer_unreachable(const std::string& id, const std::string& incarnation) {
  std::lock_guard<std::mutex> guard{mutex_};
  if (view_.members().on_unreachable(id, incarnation, wall_ms()))
    spdlog::warn("cluster: lost the connection to {} ({})", id, incarnation);
  ++changes_;
  changed_.notify_all();
}

std::uint64_t cluster_manager::wait_for_change(std::uint64_t seen,
                                               std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock{mutex_};
  changed_.wait_for(lock, timeout, [&] { return changes_ != seen; });
  return changes_;
}

void cluster_manager::send_heartbeat(node_state state) {
  node_heartbeat hb;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    hb.id = cfg_.node_id;
    hb.incarnation = make_incarnation(started_ms_, generation_);
    hb.endpoint = cfg_.cluster.advertised();
    hb.roles = roles_;
    hb.started_ms = started_ms_;
    hb.sent_ms = wall_ms();
    hb.state = state;
    hb.leader = view_.leader();
    hb.leader_epoch = view_.leader_epoch();
    hb.map_version = activity_.map_version;
    hb.shards = activity_.shards;
    hb.partitions = activity_.partitions;
    hb.version = version_;
    hb.drain = activity_.drain;
    hb.links = activity_.links;
    heartbeat_now_ = false;
    sent_.emplace_back(hb.sent_ms, steady_ms());
    while (sent_.size() > 256)
      sent_.pop_front();
  }
  const auto key = heartbeat_key(hb.id);
  const auto value = encode(hb);
  auto err = rd_kafka_producev(
    producer_.get(), RD_KAFKA_V_TOPIC(cfg_.topics.control.name.c_str()), RD_KAFKA_V_PARTITION(0),
    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key.data(), key.size()),
    RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()), RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    spdlog::warn("cluster: cannot send a heartbeat: {}", rd_kafka_err2str(err));
}

void cluster_manager::handle_record(const std::string& key, const std::string& value) {
  const auto kind = classify_control_key(key);
  std::string error;
  if (kind.kind == control_key_kind::heartbeat) {
    auto hb = decode_heartbeat(value, &error);
    if (!hb) {
      spdlog::warn("cluster: ignoring a heartbeat under {}: {}", key, error);
      return;
    }
    const auto now = wall_ms();
    std::lock_guard<std::mutex> guard{mutex_};
    // Heartbeats from before this node started count from when they were
    // sent, so nodes long gone do not look live for a whole timeout.
    const auto received = caught_up_ ? now : std::min(now, hb->sent_ms);
    view_.on_heartbeat(*hb, received);
    if (hb->id == cfg_.node_id && hb->incarnation == make_incarnation(started_ms_, generation_)
        && hb->map_version >= view_.adopted_version()) {
      // Our own heartbeat, current: the cluster sees us as of when we sent it.
      for (const auto& [sent, at] : sent_)
        if (sent == hb->sent_ms)
          lease_until_ms_ = std::max(lease_until_ms_.load(), at + cfg_.cluster.node_timeout_ms);
    }
  } else if (kind.kind == control_key_kind::shard_map) {
    auto map = decode_shard_map(value, &error);
    if (!map) {
      spdlog::warn("cluster: ignoring a shard map: {}", error);
      return;
    }
    std::lock_guard<std::mutex> guard{mutex_};
    if (view_.on_map(*map)) {
      lease_until_ms_ = 0;  // until this node routes by it
      spdlog::info("cluster: shard map {} of leader {} (epoch {}): {} aggregate nodes",
                   map->version, map->leader, map->leader_epoch, map->nodes.size());
    }
  }
}

void cluster_manager::run() {
  auto next_heartbeat = steady_ms();
  for (;;) {
    const bool leaving = leaving_.load();
    if (stop_.load())
      break;
    // The log, in order.
    for (int i = 0; i < 1000; ++i) {
      auto* msg = rd_kafka_consumer_poll(tail_.get(), i == 0 ? 50 : 0);
      if (msg == nullptr)
        break;
      if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (!caught_up_ && msg->offset >= catch_up_to_) {
          std::lock_guard<std::mutex> guard{mutex_};
          caught_up_ = true;
        }
      } else if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        spdlog::warn("cluster: reading the control topic: {}", rd_kafka_message_errstr(msg));
      } else {
        handle_record(std::string{static_cast<const char*>(msg->key), msg->key_len},
                      std::string{static_cast<const char*>(msg->payload), msg->len});
        if (!caught_up_ && msg->offset + 1 >= catch_up_to_) {
          std::lock_guard<std::mutex> guard{mutex_};
          caught_up_ = true;
        }
      }
      rd_kafka_message_destroy(msg);
    }
    // Leadership: only through the group, and only with the log read, so
    // the new epoch is above every one in it.
    group_->consume(0);
    const bool holds = holds_control_partition_.load();
    bool send_now = false;
    {
      std::lock_guard<std::mutex> guard{mutex_};
      if (caught_up_ && holds != view_.leader()) {
        view_.set_leader(holds);
        send_now = true;
        if (holds)
          spdlog::info("cluster: {} leads (epoch {})", cfg_.node_id, view_.leader_epoch());
        else
          spdlog::info("cluster: {} no longer leads", cfg_.node_id);
      }
      send_now = send_now || heartbeat_now_;
    }
    if (leaving) {
      send_heartbeat(node_state::left);
      rd_kafka_flush(producer_.get(), 5000);
      group_->close();
      break;
    }
    if (send_now || steady_ms() >= next_heartbeat) {
      send_heartbeat(node_state::up);
      next_heartbeat = steady_ms() + cfg_.cluster.heartbeat_ms;
    }
    std::optional<shard_map> publish;
    {
      std::lock_guard<std::mutex> guard{mutex_};
      if (caught_up_)
        publish = view_.map_to_publish(wall_ms());
    }
    if (publish) {
      const auto key = shard_map_key();
      const auto value = encode(*publish);
      spdlog::info("cluster: publishing shard map {} for {} aggregate nodes", publish->version,
                   publish->nodes.size());
      auto err = rd_kafka_producev(
        producer_.get(), RD_KAFKA_V_TOPIC(cfg_.topics.control.name.c_str()),
        RD_KAFKA_V_PARTITION(0), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_KEY(key.data(), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()), RD_KAFKA_V_END);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        spdlog::warn("cluster: cannot publish the shard map: {}", rd_kafka_err2str(err));
    }
    rd_kafka_poll(producer_.get(), 0);
    {
      std::lock_guard<std::mutex> guard{mutex_};
      ++changes_;
    }
    changed_.notify_all();
  }
}

}  // namespace txstream
