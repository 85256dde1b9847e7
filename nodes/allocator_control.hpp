// What the executable's memory allocator is and how a node may steer it.
#pragma once

#include <functional>
#include <string>

namespace txstream {

struct allocator_control {
  /// For `txstream version`, e.g. "mimalloc 2.0.9, decommit delay 1000 ms".
  std::string description = "the C library's malloc";
  /// Makes freed memory go back to the operating system at once (true) or
  /// after the allocator's usual delay (false); empty when the allocator
  /// has no such switch.
  std::function<void(bool)> set_tight;
};

}  // namespace txstream
