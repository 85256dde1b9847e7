// alert_hold_ms: which anomalies may wait in the alert sink.
#include <catch2/catch.hpp>

#include "actors/alert_batching.hpp"

using namespace txstream;

namespace {

anomaly at(std::int64_t event_time_ms) {
  anomaly a;
  a.event_time_ms = event_time_ms;
  return a;
}

}  // namespace

TEST_CASE("only anomalies detected well after their events may wait", "[actors]") {
  pipeline_config cfg;
  cfg.alert_batching_age_ms = 1000;
  cfg.alert_batching_delay_ms = 20;
  const std::int64_t now = 1'700'000'100'000;
  CHECK(alert_hold_ms({}, now, cfg) == 0);
  CHECK(alert_hold_ms({at(now - 5)}, now, cfg) == 0);      // live
  CHECK(alert_hold_ms({at(now - 999)}, now, cfg) == 0);    // just under the age
  CHECK(alert_hold_ms({at(now - 1000)}, now, cfg) == 20);  // at the age
  CHECK(alert_hold_ms({at(now - 3'600'000)}, now, cfg) == 20);
  // One live anomaly among old ones: the batch goes at once.
  CHECK(alert_hold_ms({at(now - 3'600'000), at(now - 10)}, now, cfg) == 0);
  // Batching off.
  cfg.alert_batching_delay_ms = 0;
  CHECK(alert_hold_ms({at(now - 3'600'000)}, now, cfg) == 0);
}
