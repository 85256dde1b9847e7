// The one place where cross-node message types get their CAF names.
#pragma once

#include <caf/fwd.hpp>

#include "messages/inspect.hpp"

namespace txstream {

/// Registers every top-level message type (and `std::vector` of each) with
/// its stable wire name "txstream::<type>". Every process calls this before
/// creating its actor system: CAF 0.17 silently drops unregistered types.
void add_message_types(caf::actor_system_config& cfg);

}  // namespace txstream
