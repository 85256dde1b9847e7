#include "nodes/generate_sender.hpp"

#include <cinttypes>
#include <cstdio>

#include <unistd.h>  // isatty

#include "actors/fraud_scenarios.hpp"
#include "messages/kafka_headers.hpp"

namespace txstream {

namespace {

kafka::settings producer_settings(const generate_plan& plan, const kafka::settings& client) {
  kafka::settings s{{"bootstrap.servers", plan.kafka.bootstrap},
                    {"client.id", "txstream-generate"},
                    {"enable.idempotence", "true"},
                    {"acks", "all"},
                    {"linger.ms", "10"},
                    {"batch.num.messages", "10000"},
                    {"batch.size", "1000000"},
                    {"queue.buffering.max.messages", "200000"},
                    {"queue.buffering.max.kbytes", "262144"},
                    {"compression.type", plan.compression},
                    {"message.timeout.ms", "120000"},
                    // The Java client's default: the same key lands on the same
                    // partition whichever client produced it.
                    {"partitioner", "murmur2_random"}};
  s.insert(s.end(), client.begin(), client.end());
  return s;
}

}  // namespace

generate_sender::generate_sender(const generate_plan& plan, const kafka::settings& client)
  : topic_name_(plan.topic),
    tty_(isatty(STDERR_FILENO) == 1),
    producer_(producer_settings(plan, client),
              [this](const kafka::delivery_report& r) {
                if (r.ok) {
                  ++counts_.delivered;
                } else {
                  ++counts_.failed;
                  ++counts_.errors[r.error];
                }
              }),
    next_progress_(clock::now() + std::chrono::seconds(1)) {
  // nop
}

std::string generate_sender::open() {
  // Before the first record: records of an unknown topic wait for
  // librdkafka's once-a-second topic scan (the first second's latency).
  if (!producer_.prepare_topics({topic_name_}, 10000).empty())
    std::fprintf(stderr,
                 "txstream: warning: no metadata for topic %s yet; the first "
                 "records may wait for it\n",
                 topic_name_.c_str());
  topic_ = producer_.topic(topic_name_);
  if (topic_ == nullptr)
    return "cannot create a producer handle for topic " + topic_name_;
  return {};
}

void generate_sender::send(std::string_view key, std::string_view payload,
                           std::string_view fraud_label) {
  headers_.clear();
  if (!fraud_label.empty())
    headers_.emplace_back(std::string{fraud_header}, std::string{fraud_label});
  auto err = producer_.produce(topic_, -1, key, payload, &headers_);
  if (!err.empty()) {
    ++counts_.failed;
    ++counts_.errors[err];
    return;
  }
  ++counts_.sent;
  if (auto label = parse_fraud_label(fraud_label))
    instances_[std::string{label->scenario}].insert(label->instance);
  // Delivery reports: served every few hundred records, not per record.
  if ((counts_.sent & 255) == 0)
    poll();
}

void generate_sender::report_metrics() {
  if (probe_ == nullptr)
    return;
  if (counts_.sent != reported_sent_)
    probe_->sent(counts_.sent - reported_sent_);
  if (counts_.failed != reported_failed_)
    probe_->errors(counts_.failed - reported_failed_);
  reported_sent_ = counts_.sent;
  reported_failed_ = counts_.failed;
}

void generate_sender::progress(clock::time_point now, const char* what) {
  if (!tty_ || now < next_progress_)
    return;
  std::fprintf(stderr,
               "\r%s: rate %8" PRIu64 "/s  sent %10" PRIu64 "  delivered %10" PRIu64
               "  errors %" PRIu64 "\033[K",
               what, counts_.sent - last_sent_, counts_.sent, counts_.delivered, counts_.failed);
  last_sent_ = counts_.sent;
  next_progress_ = now + std::chrono::seconds(1);
}

void generate_sender::finish_flush() {
  if (tty_)
    std::fputs("\r\033[K", stderr);
  if (auto left = producer_.in_flight(); left > 0) {
    counts_.failed += static_cast<std::uint64_t>(left);
    counts_.errors["not delivered (flush timed out or interrupted)"] += static_cast<std::uint64_t>(
      left);
  }
  report_metrics();
}

std::string generate_sender::instances_summary() const {
  std::string out;
  for (const auto& [name, ids] : instances_)
    out += " " + name + "=" + std::to_string(ids.size());
  return out.empty() ? " none" : out;
}

}  // namespace txstream
