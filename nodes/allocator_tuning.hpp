// Settings of the memory allocator the executable runs on, made before any
// thread starts; kept out of the nodes library so tests (and sanitizer
// builds, which bring their own allocator) link without mimalloc.
#pragma once

#include "nodes/allocator_control.hpp"

namespace txstream {

/// Applies txstream's allocator settings; describes the allocator and how
/// to make it return freed memory at once.
allocator_control tune_allocator();

}  // namespace txstream
