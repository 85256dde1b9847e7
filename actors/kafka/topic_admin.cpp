#include "actors/kafka/topic_admin.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <thread>

namespace txstream::kafka {

namespace {

template <class T, void (*Destroy)(T*)>
struct c_deleter {
  void operator()(T* x) const {
    Destroy(x);
  }
};
using queue_ptr =
  std::unique_ptr<rd_kafka_queue_t, c_deleter<rd_kafka_queue_t, rd_kafka_queue_destroy>>;
using event_ptr =
  std::unique_ptr<rd_kafka_event_t, c_deleter<rd_kafka_event_t, rd_kafka_event_destroy>>;
using partitions_ptr = std::unique_ptr<
  rd_kafka_topic_partition_list_t,
  c_deleter<rd_kafka_topic_partition_list_t, rd_kafka_topic_partition_list_destroy>>;
using options_ptr = std::unique_ptr<
  rd_kafka_AdminOptions_t, c_deleter<rd_kafka_AdminOptions_t, rd_kafka_AdminOptions_destroy>>;

void metadata_destroy(const rd_kafka_metadata_t* md) {
  rd_kafka_metadata_destroy(md);
}
struct metadata_deleter {
  void operator()(const rd_kafka_metadata_t* md) const {
    metadata_destroy(md);
  }
};
using metadata_ptr = std::unique_ptr<const rd_kafka_metadata_t, metadata_deleter>;

metadata_ptr fetch_metadata(rd_kafka_t* rk, int timeout_ms) {
  const rd_kafka_metadata_t* md = nullptr;
  auto err = rd_kafka_metadata(rk, 1, nullptr, &md, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw std::runtime_error(std::string{"cannot read cluster metadata: "} + rd_kafka_err2str(err));
  return metadata_ptr{md};
}

bool starts_with(std::string_view name, std::string_view prefix) {
  return name.substr(0, prefix.size()) == prefix;
}

// Whether the metadata shows every topic of `names` with all its partitions
// led.
bool all_led(const rd_kafka_metadata_t& md, const std::vector<std::string>& names) {
  for (const auto& name : names) {
    bool led = false;
    for (int i = 0; i < md.topic_cnt; ++i) {
      const auto& t = md.topics[i];
      if (name != t.topic)
        continue;
      led = t.err == RD_KAFKA_RESP_ERR_NO_ERROR && t.partition_cnt > 0;
      for (int p = 0; led && p < t.partition_cnt; ++p)
        led = t.partitions[p].err == RD_KAFKA_RESP_ERR_NO_ERROR && t.partitions[p].leader >= 0;
    }
    if (!led)
      return false;
  }
  return true;
}

options_ptr make_options(rd_kafka_t* rk, rd_kafka_admin_op_t op, int timeout_ms) {
  options_ptr opts{rd_kafka_AdminOptions_new(rk, op)};
  char err[256];
  if (rd_kafka_AdminOptions_set_request_timeout(opts.get(), timeout_ms, err, sizeof err)
      != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw std::runtime_error(err);
  // Only topic creation and deletion wait for the controller's operation.
  const bool controller_op = op == RD_KAFKA_ADMIN_OP_CREATETOPICS
                             || op == RD_KAFKA_ADMIN_OP_DELETETOPICS;
  if (controller_op
      && rd_kafka_AdminOptions_set_operation_timeout(opts.get(), timeout_ms, err, sizeof err)
           != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw std::runtime_error(err);
  return opts;
}

/// Waits for the single result event of an admin request on `q`.
event_ptr await_result(rd_kafka_queue_t* q, int timeout_ms, const char* what) {
  event_ptr ev{rd_kafka_queue_poll(q, timeout_ms + 5000)};
  if (!ev)
    throw std::runtime_error(std::string{what} + ": no answer from the cluster");
  if (rd_kafka_event_error(ev.get()) != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw std::runtime_error(std::string{what} + ": " + rd_kafka_event_error_string(ev.get()));
  return ev;
}

settings admin_settings(const std::string& bootstrap, const settings& extra) {
  settings s{{"bootstrap.servers", bootstrap}, {"log_level", "0"}};
  s.insert(s.end(), extra.begin(), extra.end());
  return s;
}

}  // namespace

topic_admin::topic_admin(const std::string& bootstrap, int timeout_ms, const settings& extra)
  : settings_(admin_settings(bootstrap, extra)),
    rk_(make_c_client(RD_KAFKA_PRODUCER, settings_)),
    timeout_ms_(timeout_ms) {
  // Fail here, with the address in the message, when nothing answers.
  try {
    fetch_metadata(rk_.get(), timeout_ms_);
  } catch (const std::exception& e) {
    throw std::runtime_error("kafka at " + bootstrap + " is not reachable (" + e.what() + ")");
  }
}

int topic_admin::broker_count() {
  return fetch_metadata(rk_.get(), timeout_ms_)->broker_cnt;
}

std::vector<topic_creation> topic_admin::create(const std::vector<topic_spec>& specs) {
  const int brokers = broker_count();
  std::vector<rd_kafka_NewTopic_t*> topics;
  std::vector<topic_creation> out;
  char err[256];
  auto cleanup = [&] { rd_kafka_NewTopic_destroy_array(topics.data(), topics.size()); };
  for (const auto& spec : specs) {
    int rf = std::min<int>(spec.replication, brokers);
    auto* nt = rd_kafka_NewTopic_new(spec.name.c_str(), spec.partitions, rf, err, sizeof err);
    if (nt == nullptr) {
      cleanup();
      throw std::runtime_error("topic " + spec.name + ": " + err);
    }
    topics.push_back(nt);
    for (const auto& [key, value] : spec.configs)
      rd_kafka_NewTopic_set_config(nt, key.c_str(), value.c_str());
    out.push_back({spec.name, topic_creation::outcome::created, rf});
  }
  queue_ptr q{rd_kafka_queue_new(rk_.get())};
  auto opts = make_options(rk_.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout_ms_);
  rd_kafka_CreateTopics(rk_.get(), topics.data(), topics.size(), opts.get(), q.get());
  cleanup();
  auto ev = await_result(q.get(), timeout_ms_, "create topics");
  size_t n = 0;
  auto* results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev.get()),
                                                      &n);
  for (size_t i = 0; i < n; ++i) {
    std::string name = rd_kafka_topic_result_name(results[i]);
    auto code = rd_kafka_topic_result_error(results[i]);
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& c) { return c.name == name; });
    if (code == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      if (it != out.end())
        it->result = topic_creation::outcome::already_existed;
    } else if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* msg = rd_kafka_topic_result_error_string(results[i]);
      throw std::runtime_error("create topic " + name + ": "
                               + (msg ? msg : rd_kafka_err2str(code)));
    }
  }
  std::vector<std::string> names;
  for (const auto& c : out)
    names.push_back(c.name);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms_);
  while (!all_led(*fetch_metadata(rk_.get(), timeout_ms_), names)
         && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return out;
}

std::vector<topic_description> topic_admin::describe(const std::vector<topic_spec>& specs) {
  std::vector<topic_description> out;
  auto md = fetch_metadata(rk_.get(), timeout_ms_);
  std::vector<rd_kafka_ConfigResource_t*> resources;
  for (const auto& spec : specs) {
    topic_description d;
    d.name = spec.name;
    for (int i = 0; i < md->topic_cnt; ++i) {
      const auto& t = md->topics[i];
      if (spec.name == t.topic && t.err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        d.exists = true;
        d.partitions = t.partition_cnt;
        d.replication = t.partition_cnt > 0 ? t.partitions[0].replica_cnt : 0;
      }
    }
    if (d.exists)
      resources.push_back(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, spec.name.c_str()));
    out.push_back(std::move(d));
  }
  if (resources.empty())
    return out;
  queue_ptr q{rd_kafka_queue_new(rk_.get())};
  auto opts = make_options(rk_.get(), RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeout_ms_);
  rd_kafka_DescribeConfigs(rk_.get(), resources.data(), resources.size(), opts.get(), q.get());
  rd_kafka_ConfigResource_destroy_array(resources.data(), resources.size());
  auto ev = await_result(q.get(), timeout_ms_, "describe topic configs");
  size_t n = 0;
  auto* res = rd_kafka_DescribeConfigs_result_resources(
    rd_kafka_event_DescribeConfigs_result(ev.get()), &n);
  for (size_t i = 0; i < n; ++i) {
    std::string name = rd_kafka_ConfigResource_name(res[i]);
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& d) { return d.name == name; });
    auto spec = std::find_if(specs.begin(), specs.end(),
                             [&](const auto& s) { return s.name == name; });
    if (it == out.end() || spec == specs.end())
      continue;
    size_t m = 0;
    auto* entries = rd_kafka_ConfigResource_configs(res[i], &m);
    for (size_t j = 0; j < m; ++j) {
      std::string key = rd_kafka_ConfigEntry_name(entries[j]);
      const char* value = rd_kafka_ConfigEntry_value(entries[j]);
      for (const auto& wanted : spec->configs)
        if (wanted.first == key)
          it->configs[key] = value ? value : "";
    }
  }
  return out;
}

void topic_admin::remove(const std::vector<std::string>& names) {
  std::vector<rd_kafka_DeleteTopic_t*> topics;
  for (const auto& name : names)
    topics.push_back(rd_kafka_DeleteTopic_new(name.c_str()));
  queue_ptr q{rd_kafka_queue_new(rk_.get())};
  auto opts = make_options(rk_.get(), RD_KAFKA_ADMIN_OP_DELETETOPICS, timeout_ms_);
  rd_kafka_DeleteTopics(rk_.get(), topics.data(), topics.size(), opts.get(), q.get());
  rd_kafka_DeleteTopic_destroy_array(topics.data(), topics.size());
  auto ev = await_result(q.get(), timeout_ms_, "delete topics");
  size_t n = 0;
  auto* results = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev.get()),
                                                      &n);
  for (size_t i = 0; i < n; ++i) {
    auto code = rd_kafka_topic_result_error(results[i]);
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
      throw std::runtime_error(std::string{"delete topic "} + rd_kafka_topic_result_name(results[i])
                               + ": " + rd_kafka_err2str(code));
  }
}

std::vector<std::string> topic_admin::topics_with_prefix(const std::string& prefix) {
  auto md = fetch_metadata(rk_.get(), timeout_ms_);
  std::vector<std::string> names;
  for (int i = 0; i < md->topic_cnt; ++i)
    if (starts_with(md->topics[i].topic, prefix))
      names.emplace_back(md->topics[i].topic);
  return names;
}

std::vector<std::string> topic_admin::groups_with_prefix(const std::string& prefix) {
  queue_ptr q{rd_kafka_queue_new(rk_.get())};
  auto opts = make_options(rk_.get(), RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS, timeout_ms_);
  rd_kafka_ListConsumerGroups(rk_.get(), opts.get(), q.get());
  auto ev = await_result(q.get(), timeout_ms_, "list consumer groups");
  const auto* result = rd_kafka_event_ListConsumerGroups_result(ev.get());
  size_t n = 0;
  const auto* listed = rd_kafka_ListConsumerGroups_result_valid(result, &n);
  std::vector<std::string> names;
  for (size_t i = 0; i < n; ++i) {
    std::string name = rd_kafka_ConsumerGroupListing_group_id(listed[i]);
    if (starts_with(name, prefix))
      names.push_back(std::move(name));
  }
  return names;
}

namespace {

// A group's coordinator may still be loading, moving or not yet elected (a
// fresh broker, or a group whose first offset fetch has just created it):
// the deletion is asked again rather than failed.
bool coordinator_settling(rd_kafka_resp_err_t code) {
  return code == RD_KAFKA_RESP_ERR_NOT_COORDINATOR
         || code == RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE
         || code == RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS;
}

}  // namespace

std::vector<std::string> topic_admin::remove_groups(const std::vector<std::string>& names) {
  std::vector<std::string> busy;
  auto pending = names;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms_);
  while (!pending.empty()) {
    std::vector<rd_kafka_DeleteGroup_t*> groups;
    for (const auto& name : pending)
      groups.push_back(rd_kafka_DeleteGroup_new(name.c_str()));
    queue_ptr q{rd_kafka_queue_new(rk_.get())};
    auto opts = make_options(rk_.get(), RD_KAFKA_ADMIN_OP_DELETEGROUPS, timeout_ms_);
    rd_kafka_DeleteGroups(rk_.get(), groups.data(), groups.size(), opts.get(), q.get());
    rd_kafka_DeleteGroup_destroy_array(groups.data(), groups.size());
    auto ev = await_result(q.get(), timeout_ms_, "delete consumer groups");
    size_t n = 0;
    const auto** results = rd_kafka_DeleteGroups_result_groups(
      rd_kafka_event_DeleteGroups_result(ev.get()), &n);
    std::vector<std::string> again;
    for (size_t i = 0; i < n; ++i) {
      const auto* err = rd_kafka_group_result_error(results[i]);
      const auto code = err != nullptr ? rd_kafka_error_code(err) : RD_KAFKA_RESP_ERR_NO_ERROR;
      const std::string name = rd_kafka_group_result_name(results[i]);
      if (code == RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP)
        busy.push_back(name);
      else if (coordinator_settling(code) && std::chrono::steady_clock::now() < deadline)
        again.push_back(name);
      else if (code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND)
        throw std::runtime_error("delete consumer group " + name + ": "
                                 + rd_kafka_error_string(err));
    }
    if (!again.empty())
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    pending = std::move(again);
  }
  return busy;
}

std::vector<partition_position> topic_admin::group_positions(const std::string& group,
                                                             const std::string& topic) {
  std::vector<partition_position> out;
  {
    auto md = fetch_metadata(rk_.get(), timeout_ms_);
    for (int i = 0; i < md->topic_cnt; ++i) {
      const auto& t = md->topics[i];
      if (topic != t.topic || t.err != RD_KAFKA_RESP_ERR_NO_ERROR)
        continue;
      for (int p = 0; p < t.partition_cnt; ++p) {
        partition_position x;
        x.partition = t.partitions[p].id;
        out.push_back(x);
      }
    }
  }
  if (out.empty())
    return out;
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.partition < b.partition; });
  for (auto& x : out) {
    auto err = rd_kafka_query_watermark_offsets(rk_.get(), topic.c_str(), x.partition, &x.low,
                                                &x.high, timeout_ms_);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
      throw std::runtime_error("watermarks of " + topic + "/" + std::to_string(x.partition) + ": "
                               + rd_kafka_err2str(err));
  }
  partitions_ptr wanted{rd_kafka_topic_partition_list_new(static_cast<int>(out.size()))};
  for (const auto& x : out)
    rd_kafka_topic_partition_list_add(wanted.get(), topic.c_str(), x.partition);
  // An offset fetch through a consumer handle of the group, not the Admin
  // API's ListConsumerGroupOffsets: librdkafka 2.0 crashes on the latter
  // when the group's coordinator answers NOT_COORDINATOR (a fresh broker, a
  // group never seen), as the admin handle has no group to re-query it.
  // Without subscribe() the handle never joins the group.
  auto s = settings_;
  s.insert(s.end(), {{"group.id", group}, {"enable.auto.commit", "false"}});
  auto consumer = make_c_client(RD_KAFKA_CONSUMER, s);
  auto err = rd_kafka_committed(consumer.get(), wanted.get(), timeout_ms_);
  rd_kafka_consumer_close(consumer.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw std::runtime_error("committed offsets of group " + group + ": " + rd_kafka_err2str(err));
  for (int j = 0; j < wanted->cnt; ++j) {
    const auto& tp = wanted->elems[j];
    if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR || tp.offset < 0)
      continue;
    for (auto& x : out)
      if (x.partition == tp.partition)
        x.committed = tp.offset;
  }
  return out;
}

}  // namespace txstream::kafka
