// Settings of the memory allocator the executable runs on, made before any
// thread starts; kept out of the nodes library so tests (and sanitizer
// builds, which bring their own allocator) link without mimalloc.
#pragma once

#include <string>

namespace txstream {

/// Applies txstream's allocator settings and describes the allocator for
/// `txstream version`, e.g. "mimalloc 2.0.9, decommit delay 1000 ms".
std::string tune_allocator();

} // namespace txstream
