// The allocator's switch between keeping freed memory and returning it.
#include <catch2/catch.hpp>

#include "nodes/memory_governor.hpp"

using namespace txstream;

TEST_CASE("the allocator turns tight near the budget and relaxes well below it", "[nodes]") {
  constexpr std::size_t budget = 256;
  CHECK_FALSE(allocator_should_be_tight(false, 100, budget));
  CHECK_FALSE(allocator_should_be_tight(false, 224, budget));  // 7/8: not above
  CHECK(allocator_should_be_tight(false, 225, budget));
  // Between 3/4 and 7/8 it stays as it was: no flapping at the line.
  CHECK(allocator_should_be_tight(true, 200, budget));
  CHECK_FALSE(allocator_should_be_tight(false, 200, budget));
  CHECK(allocator_should_be_tight(true, 192, budget));
  CHECK_FALSE(allocator_should_be_tight(true, 191, budget));
  // Without a budget it never is.
  CHECK_FALSE(allocator_should_be_tight(false, 1 << 30, 0));
}

TEST_CASE("the process's resident memory is read from the kernel", "[nodes]") {
  const auto resident = resident_bytes();
  CHECK(resident > 1024 * 1024);
  CHECK(resident < std::size_t{64} << 30);
}
