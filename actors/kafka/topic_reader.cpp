#include "actors/kafka/topic_reader.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace txstream::kafka {

namespace {

using std::chrono::steady_clock;

struct metadata_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Partition ids of `topic`; throws when it does not exist.
std::vector<std::int32_t> partitions_of(RdKafka::KafkaConsumer& c, const std::string& topic,
                                        int timeout_ms) {
  RdKafka::Metadata* raw = nullptr;
  auto err = c.metadata(true, nullptr, &raw, timeout_ms);
  std::unique_ptr<RdKafka::Metadata> md{raw};
  if (err != RdKafka::ERR_NO_ERROR)
    throw metadata_error("cannot read cluster metadata: " + RdKafka::err2str(err));
  for (const auto* t : *md->topics()) {
    if (t->topic() != topic)
      continue;
    if (t->err() != RdKafka::ERR_NO_ERROR)
      throw std::runtime_error("topic " + topic + ": " + RdKafka::err2str(t->err()));
    std::vector<std::int32_t> result;
    for (const auto* p : *t->partitions())
      result.push_back(p->id());
    return result;
  }
  throw std::runtime_error("topic " + topic
                           + " does not exist (run 'txstream "
                             "topics create')");
}

// The partition's low and high watermarks. A topic created a moment ago may
// not have its leader known to the broker yet: that answer is retried
// (within timeout_ms) instead of failing the read, and with it the
// pipeline's start.
RdKafka::ErrorCode watermarks_of(RdKafka::KafkaConsumer& c, const std::string& topic,
                                 std::int32_t partition, partition_extent& x, int timeout_ms) {
  const auto deadline = steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto err = c.query_watermark_offsets(topic, partition, &x.low, &x.high, timeout_ms);
    const bool electing = err == RdKafka::ERR_NOT_LEADER_FOR_PARTITION
                          || err == RdKafka::ERR_LEADER_NOT_AVAILABLE;
    if (!electing || steady_clock::now() >= deadline)
      return err;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

struct partition_list {
  std::vector<RdKafka::TopicPartition*> items;
  ~partition_list() {
    RdKafka::TopicPartition::destroy(items);
  }
};

}  // namespace

const std::string* topic_record::header(std::string_view name) const {
  for (auto i = headers.rbegin(); i != headers.rend(); ++i)
    if (i->key == name)
      return &i->value;
  return nullptr;
}

bool topic_read_result::complete() const {
  for (const auto& p : partitions)
    if (!p.complete)
      return false;
  return true;
}

topic_reader::topic_reader(const std::string& bootstrap, const settings& extra, int idle_timeout_ms)
  : bootstrap_(bootstrap), idle_timeout_ms_(idle_timeout_ms) {
  // A group id is mandatory for KafkaConsumer, but with assign() and no
  // commits the reader never joins or changes that group.
  settings s{{"bootstrap.servers", bootstrap},     {"group.id", "txstream-topic-reader"},
             {"enable.auto.commit", "false"},      {"enable.auto.offset.store", "false"},
             {"enable.partition.eof", "true"},     {"auto.offset.reset", "earliest"},
             {"isolation.level", "read_committed"}};
  s.insert(s.end(), extra.begin(), extra.end());
  auto conf = make_conf(s);
  std::string err;
  consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!consumer_)
    throw std::runtime_error("cannot create kafka consumer: " + err);
}

topic_reader::~topic_reader() {
  if (consumer_) {
    consumer_->unassign();
    consumer_->close();
  }
}

topic_read_result topic_reader::read(const std::string& topic,
                                     const std::function<void(const topic_record&)>& on_record) {
  topic_read_result result;
  result.topic = topic;
  std::vector<std::int32_t> ids;
  try {
    ids = partitions_of(*consumer_, topic, std::min(idle_timeout_ms_, 10000));
  } catch (const metadata_error& e) {
    throw std::runtime_error("kafka at " + bootstrap_ + " is not reachable (" + e.what() + ")");
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string{"reading "} + topic + ": " + e.what());
  }
  partition_list assignment;
  std::size_t open = 0;
  for (auto id : ids) {
    partition_extent x;
    x.partition = id;
    auto err = watermarks_of(*consumer_, topic, id, x, idle_timeout_ms_);
    if (err != RdKafka::ERR_NO_ERROR)
      throw std::runtime_error("watermarks of " + topic + "/" + std::to_string(id) + ": "
                               + RdKafka::err2str(err));
    x.next = x.low;
    x.complete = x.low >= x.high;
    if (!x.complete) {
      assignment.items.push_back(RdKafka::TopicPartition::create(topic, id, x.low));
      ++open;
    }
    result.partitions.push_back(x);
  }
  auto extent_of = [&](std::int32_t id) -> partition_extent* {
    for (auto& x : result.partitions)
      if (x.partition == id)
        return &x;
    return nullptr;
  };
  if (open == 0)
    return result;
  if (auto err = consumer_->assign(assignment.items); err != RdKafka::ERR_NO_ERROR)
    throw std::runtime_error("cannot assign " + topic + ": " + RdKafka::err2str(err));
  topic_record rec;
  auto last_progress = steady_clock::now();
  while (open > 0) {
    std::unique_ptr<RdKafka::Message> msg{consumer_->consume(200)};
    auto now = steady_clock::now();
    if (now - last_progress > std::chrono::milliseconds(idle_timeout_ms_)) {
      if (result.error.empty())
        result.error = "no progress for " + std::to_string(idle_timeout_ms_)
                       + " ms (an open transaction holds read_committed back?)";
      break;
    }
    if (!msg)
      continue;
    switch (msg->err()) {
      case RdKafka::ERR_NO_ERROR:
      case RdKafka::ERR__PARTITION_EOF: break;
      case RdKafka::ERR__TIMED_OUT: continue;
      case RdKafka::ERR_UNKNOWN_TOPIC_OR_PART:
      case RdKafka::ERR__UNKNOWN_TOPIC:
      case RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED:
        consumer_->unassign();
        throw std::runtime_error("reading " + topic + ": " + msg->errstr());
      default:
        // Transient (broker down, leader moving): librdkafka retries; keep
        // the text in case it never recovers.
        result.error = msg->errstr();
        continue;
    }
    auto* x = extent_of(msg->partition());
    if (x == nullptr || x->complete)
      continue;
    if (msg->err() == RdKafka::ERR__PARTITION_EOF) {
      // EOF's offset is the next fetch position, past any control records.
      if (msg->offset() > x->next)
        x->next = msg->offset();
      if (x->next >= x->high) {
        x->complete = true;
        --open;
      }
      last_progress = now;
      continue;
    }
    last_progress = now;
    if (msg->offset() >= x->high) {
      // Past the snapshot: everything below high was delivered or skipped.
      x->complete = true;
      --open;
      continue;
    }
    rec.partition = msg->partition();
    rec.offset = msg->offset();
    rec.timestamp_ms = msg->timestamp().timestamp;
    rec.has_key = msg->key_pointer() != nullptr;
    rec.key.assign(rec.has_key ? static_cast<const char*>(msg->key_pointer()) : "",
                   rec.has_key ? msg->key_len() : 0);
    rec.value.assign(msg->payload() != nullptr ? static_cast<const char*>(msg->payload()) : "",
                     msg->len());
    rec.headers.clear();
    if (const auto* hdrs = msg->headers()) {
      for (const auto& h : hdrs->get_all())
        rec.headers.push_back(
          kafka_header{h.key(), h.value() != nullptr
                                  ? std::string{static_cast<const char*>(h.value()), h.value_size()}
                                  : std::string{}});
    }
    ++x->records;
    ++result.records;
    x->next = msg->offset() + 1;
    on_record(rec);
    if (x->next >= x->high) {
      x->complete = true;
      --open;
    }
  }
  consumer_->unassign();
  return result;
}

}  // namespace txstream::kafka
