#include "actors/fraud_evaluation.hpp"

#include <algorithm>
#include <cstdio>
#include <set>
#include <utility>

#include "actors/fraud_scenarios.hpp"

namespace txstream {

double scenario_score::recall() const {
  return instances == 0 ? 1.0
                        : static_cast<double>(detected_instances) / static_cast<double>(instances);
}

double scenario_score::precision() const {
  return anomalies == 0 ? 1.0
                        : static_cast<double>(true_positives) / static_cast<double>(anomalies);
}

std::uint32_t fraud_evaluation::scenario_index(std::string_view name) {
  auto it = std::find(scenarios_.begin(), scenarios_.end(), name);
  if (it != scenarios_.end())
    return static_cast<std::uint32_t>(it - scenarios_.begin());
  scenarios_.emplace_back(name);
  return static_cast<std::uint32_t>(scenarios_.size() - 1);
}

void fraud_evaluation::add_label(std::string_view transaction_id, std::string_view label) {
  if (label.empty())
    return;
  auto parsed = parse_fraud_label(label);
  if (!parsed) {
    ++malformed_;
    return;
  }
  auto key = instance_key{scenario_index(parsed->scenario), parsed->instance};
  labels_.insert_or_assign(std::string{transaction_id}, key);
}

void fraud_evaluation::add_anomaly(const anomaly& a) {
  anomalies_.push_back(a);
}

bool fraud_evaluation::complete(std::uint32_t scenario, std::uint64_t transactions) const {
  auto known = parse_fraud_scenario(scenarios_[scenario]);
  return !known || transactions >= scenario_transactions(*known);
}

std::vector<scenario_score> fraud_evaluation::results() const {
  using instance_id = std::pair<std::uint32_t, std::uint64_t>;
  std::map<std::string, scenario_score> rows;
  for (auto x : all_fraud_scenarios)
    rows[std::string{to_string(x)}].scenario = std::string{to_string(x)};
  std::map<instance_id, std::uint64_t> sizes;  // labelled transactions
  for (const auto& [id, key] : labels_)
    ++sizes[{key.scenario, key.instance}];
  std::set<instance_id> detected;
  for (const auto& a : anomalies_) {
    auto& row = rows[a.rule_id];
    row.scenario = a.rule_id;
    ++row.anomalies;
    auto hit = false;
    for (const auto& t : a.transactions) {
      auto it = labels_.find(t.transaction_id);
      if (it == labels_.end() || scenarios_[it->second.scenario] != a.rule_id)
        continue;
      hit = true;
      detected.emplace(it->second.scenario, it->second.instance);
    }
    if (hit)
      ++row.true_positives;
  }
  for (const auto& [id, size] : sizes) {
    auto& row = rows[scenarios_[id.first]];
    row.scenario = scenarios_[id.first];
    auto found = detected.count(id) != 0 ? 1 : 0;
    if (complete(id.first, size)) {
      ++row.instances;
      row.detected_instances += found;
    } else {
      ++row.incomplete;
      row.incomplete_detected += found;
    }
  }
  std::vector<scenario_score> result;
  for (auto& [name, row] : rows)
    result.push_back(std::move(row));
  return result;
}

std::string fraud_evaluation::format_table(const std::vector<scenario_score>& rows) {
  std::string out;
  char line[200];
  std::snprintf(line, sizeof(line), "%-20s %9s %9s %7s %9s %9s %9s %10s %12s\n", "scenario",
                "instances", "detected", "recall", "anomalies", "true_pos", "precision",
                "incomplete", "inc_detected");
  out += line;
  for (const auto& r : rows) {
    std::snprintf(line, sizeof(line), "%-20s %9llu %9llu %7.4f %9llu %9llu %9.4f %10llu %12llu\n",
                  r.scenario.c_str(), static_cast<unsigned long long>(r.instances),
                  static_cast<unsigned long long>(r.detected_instances), r.recall(),
                  static_cast<unsigned long long>(r.anomalies),
                  static_cast<unsigned long long>(r.true_positives), r.precision(),
                  static_cast<unsigned long long>(r.incomplete),
                  static_cast<unsigned long long>(r.incomplete_detected));
    out += line;
  }
  return out;
}

}  // namespace txstream
