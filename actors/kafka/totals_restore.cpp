#include "actors/kafka/totals_restore.hpp"

#include <chrono>
#include <map>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "actors/kafka/client_config.hpp"
#include "messages/decimal.hpp"

namespace txstream::kafka {

namespace {

/// Exact cents from the JSON number text the encoder wrote ("123.45").
std::int64_t cents_of(const nlohmann::json& j) {
  auto text = j.dump();
  if (auto v = parse_scaled(text, 2))
    return *v;
  // Negative amounts are not valid money here, except a net amount.
  if (!text.empty() && text[0] == '-')
    if (auto v = parse_scaled(text.substr(1), 2))
      return -*v;
  throw std::invalid_argument("not an amount: " + text);
}

} // namespace

bool parse_running_total(std::string_view json, running_total& out) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("type", "") != "total")
    return false;
  try {
    out.merchant_id = j.at("merchantId").get<std::string>();
    out.currency = j.at("currency").get<std::string>();
    out.transaction_count = j.at("transactionCount").get<std::int64_t>();
    out.purchase_cents = cents_of(j.at("purchaseAmount"));
    out.refund_cents = cents_of(j.at("refundAmount"));
    out.as_of_ms = j.at("asOf").get<std::int64_t>();
    out.last_window_end_ms = j.at("lastWindowEnd").get<std::int64_t>();
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

std::vector<running_total> restore_running_totals(const std::string& bootstrap,
                                                  const std::string& topic) {
  auto conf = make_conf({{"bootstrap.servers", bootstrap},
                         {"group.id", "txstream-restore"},
                         {"enable.auto.commit", "false"},
                         {"isolation.level", "read_committed"},
                         {"enable.partition.eof", "true"}});
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> c{RdKafka::KafkaConsumer::create(conf.get(), err)};
  if (!c)
    throw std::runtime_error("cannot create restore consumer: " + err);
  RdKafka::Metadata* md_raw = nullptr;
  std::unique_ptr<RdKafka::Topic> t{RdKafka::Topic::create(c.get(), topic, nullptr, err)};
  if (c->metadata(false, t.get(), &md_raw, 10000) != RdKafka::ERR_NO_ERROR)
    throw std::runtime_error("cannot read metadata of " + topic);
  std::unique_ptr<RdKafka::Metadata> md{md_raw};
  std::vector<RdKafka::TopicPartition*> parts;
  std::map<std::int32_t, std::int64_t> high;  // partitions with data
  for (const auto* tm : *md->topics())
    for (const auto* pm : *tm->partitions()) {
      std::int64_t lo = 0;
      std::int64_t hi = 0;
      c->query_watermark_offsets(topic, pm->id(), &lo, &hi, 10000);
      if (hi > lo) {
        high[pm->id()] = hi;
        parts.push_back(RdKafka::TopicPartition::create(topic, pm->id(), lo));
      }
    }
  std::map<std::pair<std::string, std::string>, running_total> latest;
  if (!parts.empty()) {
    c->assign(parts);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
    std::size_t done = 0;
    running_total rt;
    while (done < high.size() && std::chrono::steady_clock::now() < deadline) {
      std::unique_ptr<RdKafka::Message> msg{c->consume(500)};
      if (msg->err() == RdKafka::ERR__PARTITION_EOF) {
        ++done;
        continue;
      }
      if (msg->err() != RdKafka::ERR_NO_ERROR)
        continue;
      std::string_view value{static_cast<const char*>(msg->payload()), msg->len()};
      if (!parse_running_total(value, rt))
        continue;
      auto& slot = latest[{rt.merchant_id, rt.currency}];
      if (slot.merchant_id.empty() || rt.last_window_end_ms >= slot.last_window_end_ms)
        slot = rt;
    }
    if (done < high.size())
      throw std::runtime_error("timed out reading " + topic + " to restore totals");
    c->unassign();
  }
  RdKafka::TopicPartition::destroy(parts);
  c->close();
  std::vector<running_total> out;
  out.reserve(latest.size());
  for (auto& [key, total] : latest)
    out.push_back(std::move(total));
  return out;
}

} // namespace txstream::kafka
