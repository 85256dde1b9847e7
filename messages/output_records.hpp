// The records a node produces, built from what its steps output: the one
// encoding the actors use (and bench/pipeline measures).
#pragma once

#include <vector>

#include "messages/anomaly.hpp"
#include "messages/dead_letter.hpp"
#include "messages/output_batch.hpp"
#include "messages/window_aggregate.hpp"

namespace txstream {

/// Appends the windows, then the running totals, each keyed by its merchant.
void append_aggregates(const std::vector<window_aggregate>& windows,
                       const std::vector<running_total>& totals, output_batch& out);

/// Appends each anomaly, keyed by its user.
void append_anomalies(const std::vector<anomaly>& found, output_batch& out);

/// Appends `d` (moved from): its original key and payload, the reason,
/// detail and source in the dead-letter headers.
void append_dead_letter(dead_letter&& d, output_batch& out);

}  // namespace txstream
