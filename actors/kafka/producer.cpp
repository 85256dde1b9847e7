#include "actors/kafka/producer.hpp"

#include <stdexcept>

namespace txstream::kafka {

class producer::report_adapter : public RdKafka::DeliveryReportCb {
public:
  explicit report_adapter(delivery_callback cb) : cb_(std::move(cb)) {}

  void dr_cb(RdKafka::Message& msg) override {
    delivery_report r;
    r.ok = msg.err() == RdKafka::ERR_NO_ERROR;
    if (!r.ok)
      r.error = msg.errstr();
    r.partition = msg.partition();
    r.offset = msg.offset();
    r.opaque = msg.msg_opaque();
    cb_(r);
  }

private:
  delivery_callback cb_;
};

producer::producer(const settings& s, delivery_callback on_delivery)
  : adapter_(std::make_unique<report_adapter>(std::move(on_delivery))) {
  auto conf = make_conf(s);
  std::string err;
  if (conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(adapter_.get()),
                err)
      != RdKafka::Conf::CONF_OK)
    throw std::invalid_argument("dr_cb: " + err);
  producer_.reset(RdKafka::Producer::create(conf.get(), err));
  if (!producer_)
    throw std::runtime_error("cannot create kafka producer: " + err);
}

producer::~producer() {
  if (producer_)
    producer_->flush(5000);
}

std::string producer::produce(const std::string& topic, std::int32_t partition,
                              std::string_view key, std::string_view value,
                              const header_list* headers, void* opaque) {
  for (;;) {
    RdKafka::Headers* hdrs = nullptr;
    if (headers != nullptr && !headers->empty()) {
      hdrs = RdKafka::Headers::create();
      for (const auto& [k, v] : *headers)
        hdrs->add(k, v.data(), v.size());
    }
    auto err = producer_->produce(
      topic, partition == -1 ? RdKafka::Topic::PARTITION_UA : partition,
      RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(value.data()),
      value.size(), key.data(), key.size(), 0, hdrs, opaque);
    if (err == RdKafka::ERR_NO_ERROR)
      return {};  // librdkafka owns hdrs now
    delete hdrs;
    if (err != RdKafka::ERR__QUEUE_FULL)
      return RdKafka::err2str(err);
    // Backpressure from librdkafka: serve deliveries to make room, then retry.
    producer_->poll(10);
  }
}

std::vector<std::string> producer::prepare_topics(const std::vector<std::string>& topics,
                                                  int timeout_ms) {
  std::vector<std::string> failed;
  for (const auto& name : topics) {
    std::string err;
    std::unique_ptr<RdKafka::Topic> topic{
      RdKafka::Topic::create(producer_.get(), name, nullptr, err)};
    RdKafka::Metadata* raw = nullptr;
    if (topic
        && producer_->metadata(false, topic.get(), &raw, timeout_ms) == RdKafka::ERR_NO_ERROR) {
      std::unique_ptr<RdKafka::Metadata> md{raw};
      const auto* described = md->topics();
      if (described->size() == 1 && described->front()->err() == RdKafka::ERR_NO_ERROR
          && !described->front()->partitions()->empty()) {
        topics_.push_back(std::move(topic));
        continue;
      }
    }
    failed.push_back(name);
  }
  return failed;
}

int producer::poll(int timeout_ms) {
  return producer_->poll(timeout_ms);
}

bool producer::flush(int timeout_ms) {
  producer_->flush(timeout_ms);
  return producer_->outq_len() == 0;
}

int producer::in_flight() const {
  return producer_->outq_len();
}

} // namespace txstream::kafka
