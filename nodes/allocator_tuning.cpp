#include "nodes/allocator_tuning.hpp"

#include <cstdlib>

#if defined(TXSTREAM_WITH_MIMALLOC)
#include <mimalloc.h>
#endif

namespace txstream {

allocator_control tune_allocator() {
  allocator_control control;
#if defined(TXSTREAM_WITH_MIMALLOC)
  // Batches are allocated on one thread and freed on another a few
  // milliseconds later, all the time. mimalloc returns pages unused for
  // 25 ms to the OS (decommit_delay), so the pipeline kept faulting the same
  // memory back in; with a 1 s delay a drain takes a quarter to a third
  // fewer page faults. Memory still goes back once
  // the node has been quieter for a second. An explicit
  // MIMALLOC_DECOMMIT_DELAY in the environment wins.
  if (std::getenv("MIMALLOC_DECOMMIT_DELAY") == nullptr)
    mi_option_set(mi_option_decommit_delay, 1000);
  const auto delay = mi_option_get(mi_option_decommit_delay);
  const auto v = mi_version();
  control.description = "mimalloc " + std::to_string(v / 100) + "." + std::to_string(v / 10 % 10)
                        + "." + std::to_string(v % 10) + ", decommit delay " + std::to_string(delay)
                        + " ms";
  // Near its memory budget a node gives freed pages back at once, trading
  // the faults above for staying inside the budget (nodes/memory_governor).
  control.set_tight = [delay](bool tight) {
    mi_option_set(mi_option_decommit_delay, tight ? 0 : delay);
    mi_option_set(mi_option_segment_decommit_delay, tight ? 0 : delay);
  };
#endif
  return control;
}

}  // namespace txstream
