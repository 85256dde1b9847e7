// When the alert sink may hold a detector's anomalies to send them in one
// produce request with others: only while the node catches up, so an
// anomaly of live traffic never waits.
#pragma once

#include <cstdint>
#include <vector>

#include "config/pipeline_config.hpp"
#include "messages/anomaly.hpp"

namespace txstream {

/// How long the alert sink may hold `found`, detected at `now_ms`:
/// `alert_batching_delay_ms` when every one of them was detected at least
/// `alert_batching_age_ms` after its event, else 0. The wait is small
/// against the lag such anomalies already have (by default 20 ms against
/// a second or more).
inline std::int64_t alert_hold_ms(const std::vector<anomaly>& found, std::int64_t now_ms,
                                  const pipeline_config& cfg) {
  if (cfg.alert_batching_delay_ms <= 0 || found.empty())
    return 0;
  for (const auto& a : found)
    if (now_ms - a.event_time_ms < cfg.alert_batching_age_ms)
      return 0;
  return cfg.alert_batching_delay_ms;
}

}  // namespace txstream
