// Scores fraud detection against the generator's ground-truth labels:
// per-scenario recall and precision (used by tests and `txstream verify`).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "messages/anomaly.hpp"

namespace txstream {

/// Detection quality for one scenario, whose name is also its rule id.
struct scenario_score {
  std::string scenario;
  /// Distinct labelled instances "<scenario>:<n>" seen with all of their
  /// scenario_transactions() (every instance of a scenario name txstream
  /// does not know).
  std::uint64_t instances = 0;
  /// Complete instances for which some anomaly of this rule involves at
  /// least one of the instance's transactions.
  std::uint64_t detected_instances = 0;
  /// Instances seen with fewer transactions than their scenario has (the
  /// run ended before they did): neither hits nor misses, so not in recall.
  std::uint64_t incomplete = 0;
  /// Incomplete instances detected anyway.
  std::uint64_t incomplete_detected = 0;
  /// Anomalies of this rule.
  std::uint64_t anomalies = 0;
  /// Anomalies of this rule involving at least one transaction labelled with
  /// this scenario (any instance).
  std::uint64_t true_positives = 0;

  /// detected_instances / instances (complete ones); 1 when there are none.
  double recall() const;

  /// true_positives / anomalies; 1 when there are no anomalies. A labelled
  /// transaction of an incomplete instance makes a true positive too.
  double precision() const;
};

/// Collects labels and anomalies in any order, then scores them.
class fraud_evaluation {
public:
  /// Records the ground truth of one transaction; "" (normal) is ignored,
  /// and so is a malformed label (counted in malformed_labels()).
  void add_label(std::string_view transaction_id, std::string_view label);

  void add_anomaly(const anomaly& a);

  /// One row per scenario that has instances or anomalies, the six known
  /// scenarios always included, sorted by name.
  std::vector<scenario_score> results() const;

  std::uint64_t malformed_labels() const {
    return malformed_;
  }

  /// A fixed-width text table of `rows`, one line each, with a header;
  /// `incomplete` and `inc_detected` last.
  static std::string format_table(const std::vector<scenario_score>& rows);

private:
  struct instance_key {
    std::uint32_t scenario;  // index into scenarios_
    std::uint64_t instance;
  };

  std::uint32_t scenario_index(std::string_view name);

  /// Whether an instance of scenarios_[scenario] with `transactions`
  /// labelled ones has them all.
  bool complete(std::uint32_t scenario, std::uint64_t transactions) const;

  std::vector<std::string> scenarios_;
  std::unordered_map<std::string, instance_key> labels_;  // by transaction id
  std::vector<anomaly> anomalies_;
  std::uint64_t malformed_ = 0;
};

}  // namespace txstream
