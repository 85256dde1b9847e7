// Recovering running totals after a restart from what was already written.
#pragma once

#include <string>
#include <vector>

#include "actors/kafka/client_config.hpp"
#include "messages/window_aggregate.hpp"

namespace txstream::kafka {

/// Reads `topic` (read_committed, from the beginning to the current high
/// watermarks) and returns the latest "total" record per merchant x
/// currency — the one with the highest lastWindowEnd. Running totals fold
/// whole windows and carry the last window folded in, so a restarted node
/// that seeds itself with these neither loses nor double counts a window.
/// `extra`: more client settings (the [kafka.client] properties).
std::vector<running_total> restore_running_totals(const std::string& bootstrap,
                                                  const std::string& topic,
                                                  const settings& extra = {});

/// Parses one "type":"total" record; false for any other record.
bool parse_running_total(std::string_view json, running_total& out);

}  // namespace txstream::kafka
