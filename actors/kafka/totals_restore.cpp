#include "actors/kafka/totals_restore.hpp"

#include <map>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "actors/kafka/topic_reader.hpp"
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

}  // namespace

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
                                                  const std::string& topic, const settings& extra) {
  std::map<std::pair<std::string, std::string>, running_total> latest;
  running_total rt;
  topic_reader reader{bootstrap, extra};
  auto result = reader.read(topic, [&](const topic_record& r) {
    if (!parse_running_total(r.value, rt))
      return;
    auto& slot = latest[{rt.merchant_id, rt.currency}];
    if (slot.merchant_id.empty() || rt.last_window_end_ms >= slot.last_window_end_ms)
      slot = rt;
  });
  if (!result.complete())
    throw std::runtime_error("cannot restore running totals from " + topic + ": " + result.error);
  std::vector<running_total> out;
  out.reserve(latest.size());
  for (auto& [key, total] : latest)
    out.push_back(std::move(total));
  return out;
}

}  // namespace txstream::kafka
