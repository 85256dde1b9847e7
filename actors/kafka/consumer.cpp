#include "actors/kafka/consumer.hpp"

#include <stdexcept>

namespace txstream::kafka {

class consumer::rebalance_adapter : public RdKafka::RebalanceCb {
public:
  explicit rebalance_adapter(rebalance_callback cb) : cb_(std::move(cb)) {
  }

  void rebalance_cb(RdKafka::KafkaConsumer* c, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& parts) override {
    rebalance_event ev;
    ev.assigned = err == RdKafka::ERR__ASSIGN_PARTITIONS;
    for (auto* p : parts)
      ev.partitions.push_back(p->partition());
    // Cooperative protocols change the assignment incrementally; eager ones
    // replace it. Either way the change must be applied before returning.
    const bool cooperative = c->rebalance_protocol() == "COOPERATIVE";
    if (ev.assigned) {
      // First the callback: it may choose where each partition starts.
      if (cb_)
        cb_(ev);
      for (std::size_t i = 0; i < parts.size() && i < ev.start_offsets.size(); ++i)
        if (ev.start_offsets[i] >= 0)
          parts[i]->set_offset(ev.start_offsets[i]);
      if (cooperative)
        c->incremental_assign(parts);
      else
        c->assign(parts);
      return;
    }
    if (cooperative)
      c->incremental_unassign(parts);
    else
      c->unassign();
    if (cb_)
      cb_(ev);
  }

private:
  rebalance_callback cb_;
};

consumer::consumer(const settings& s, const std::vector<std::string>& topics,
                   rebalance_callback on_rebalance)
  : adapter_(std::make_unique<rebalance_adapter>(std::move(on_rebalance))) {
  auto conf = make_conf(s);
  std::string err;
  if (conf->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(adapter_.get()), err)
      != RdKafka::Conf::CONF_OK)
    throw std::invalid_argument("rebalance_cb: " + err);
  consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!consumer_)
    throw std::runtime_error("cannot create kafka consumer: " + err);
  auto code = consumer_->subscribe(topics);
  if (code != RdKafka::ERR_NO_ERROR)
    throw std::runtime_error("cannot subscribe: " + RdKafka::err2str(code));
}

consumer::~consumer() {
  close();
}

std::unique_ptr<RdKafka::Message> consumer::consume(int timeout_ms) {
  std::unique_ptr<RdKafka::Message> msg{consumer_->consume(timeout_ms)};
  if (msg && msg->err() == RdKafka::ERR__TIMED_OUT)
    return nullptr;
  return msg;
}

const std::vector<rd_kafka_message_t*>& consumer::poll_some(int timeout_ms, std::size_t max) {
  release_batch();
  auto* rk = consumer_->c_ptr();
  while (batch_.size() < max) {
    auto* msg = rd_kafka_consumer_poll(rk, batch_.empty() ? timeout_ms : 0);
    if (msg == nullptr)
      break;
    batch_.push_back(msg);
  }
  return batch_;
}

void consumer::release_batch() {
  for (auto* m : batch_)
    rd_kafka_message_destroy(m);
  batch_.clear();
}

void consumer::close() {
  if (consumer_ && !closed_) {
    closed_ = true;
    release_batch();
    consumer_->close();
  }
}

}  // namespace txstream::kafka
