#include "actors/kafka/producer.hpp"

#include <stdexcept>

namespace txstream::kafka {

class producer::report_adapter : public RdKafka::DeliveryReportCb {
public:
  explicit report_adapter(delivery_callback cb) : cb_(std::move(cb)) {
  }

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
  if (conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(adapter_.get()), err)
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

rd_kafka_topic_t* producer::topic(const std::string& name) {
  for (const auto& [known, topic] : topics_)
    if (known == name)
      return topic->c_ptr();
  std::string err;
  std::unique_ptr<RdKafka::Topic> topic{
    RdKafka::Topic::create(producer_.get(), name, nullptr, err)};
  if (!topic)
    return nullptr;
  auto* handle = topic->c_ptr();
  topics_.emplace_back(name, std::move(topic));
  return handle;
}

std::string producer::produce(const std::string& topic, std::int32_t partition,
                              std::string_view key, std::string_view value,
                              const header_list* headers, void* opaque) {
  auto* rkt = this->topic(topic);
  if (rkt == nullptr)
    return "cannot create a handle for topic " + topic;
  return produce(rkt, partition, key, value, headers, opaque);
}

std::string producer::produce(rd_kafka_topic_t* rkt, std::int32_t partition, std::string_view key,
                              std::string_view value, const header_list* headers, void* opaque) {
  for (;;) {
    rd_kafka_vu_t vu[7];
    std::size_t n = 0;
    auto add = [&](rd_kafka_vtype_t type) -> auto& {
      vu[n].vtype = type;
      return vu[n++].u;
    };
    add(RD_KAFKA_VTYPE_RKT).rkt = rkt;
    add(RD_KAFKA_VTYPE_PARTITION).i32 = partition == -1 ? RD_KAFKA_PARTITION_UA : partition;
    add(RD_KAFKA_VTYPE_MSGFLAGS).i = RD_KAFKA_MSG_F_COPY;
    add(RD_KAFKA_VTYPE_VALUE).mem = {const_cast<char*>(value.data()), value.size()};
    add(RD_KAFKA_VTYPE_KEY).mem = {const_cast<char*>(key.data()), key.size()};
    add(RD_KAFKA_VTYPE_OPAQUE).ptr = opaque;
    rd_kafka_headers_t* hdrs = nullptr;
    if (headers != nullptr && !headers->empty()) {
      hdrs = rd_kafka_headers_new(headers->size());
      for (const auto& [k, v] : *headers)
        rd_kafka_header_add(hdrs, k.data(), static_cast<ssize_t>(k.size()), v.data(),
                            static_cast<ssize_t>(v.size()));
      add(RD_KAFKA_VTYPE_HEADERS).headers = hdrs;
    }
    auto err = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (auto* e = rd_kafka_produceva(producer_->c_ptr(), vu, n)) {
      err = rd_kafka_error_code(e);
      rd_kafka_error_destroy(e);
    }
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
      return {};  // librdkafka owns hdrs now
    if (hdrs != nullptr)
      rd_kafka_headers_destroy(hdrs);
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
      return rd_kafka_err2str(err);
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
        topics_.emplace_back(name, std::move(topic));
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

}  // namespace txstream::kafka
