// The six fraud scenarios: shared names of generator scenarios and detector
// rules, and the ground-truth label format "<scenario>:<instance>".
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace txstream {

/// A fraud pattern; its name is both the generator's scenario name and the
/// id of the detector rule that should catch it.
enum class fraud_scenario : std::uint8_t {
  high_frequency,
  card_testing,
  amount_spike,
  impossible_travel,
  international_high,
  refund_abuse,
};

inline constexpr std::size_t fraud_scenario_count = 6;

inline constexpr std::array<fraud_scenario, fraud_scenario_count> all_fraud_scenarios = {
  fraud_scenario::high_frequency,     fraud_scenario::card_testing,
  fraud_scenario::amount_spike,       fraud_scenario::impossible_travel,
  fraud_scenario::international_high, fraud_scenario::refund_abuse,
};

/// The scenario's name, which is also its rule id, e.g. "card_testing".
std::string_view to_string(fraud_scenario x);

/// Transactions in one instance of `x`: what the generator schedules, and
/// what an instance must have in an input for `verify` to score it.
constexpr std::size_t scenario_transactions(fraud_scenario x) {
  switch (x) {
    case fraud_scenario::high_frequency: return 12;
    case fraud_scenario::card_testing: return 8;
    case fraud_scenario::amount_spike: return 7;  // 6 for the baseline, then the spike
    case fraud_scenario::impossible_travel: return 2;
    case fraud_scenario::international_high: return 1;
    case fraud_scenario::refund_abuse: return 7;
  }
  return 0;
}

/// The longest event time from an instance's first transaction to its last.
inline constexpr std::int64_t max_scenario_duration_ms = 120'000;

/// Least event time between two transactions of one instance, except in a
/// high_frequency burst: it keeps at most five of them within any 60 s, so
/// with the victim's own traffic they stay below high_frequency's "more
/// than 7 within 60 s".
inline constexpr std::int64_t min_scenario_spacing_ms = 12'000;

/// The scenario named `name`, if any.
std::optional<fraud_scenario> parse_fraud_scenario(std::string_view name);

/// A parsed ground-truth label.
struct fraud_label {
  std::string_view scenario;  // the text before ':'
  std::uint64_t instance = 0;
};

/// Formats "<scenario>:<instance>".
std::string make_fraud_label(fraud_scenario x, std::uint64_t instance);

/// Splits "<scenario>:<instance>"; nullopt for "" or a malformed label. The
/// scenario part is not checked against the known scenarios.
std::optional<fraud_label> parse_fraud_label(std::string_view label);

}  // namespace txstream
