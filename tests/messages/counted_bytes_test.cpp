// A buffer's share of a byte count follows it and ends with it.
#include <catch2/catch.hpp>

#include <utility>
#include <vector>

#include "messages/output_batch.hpp"

using namespace txstream;

TEST_CASE("counted bytes move with their buffer and are taken off when it ends", "[messages]") {
  std::atomic<std::int64_t> total{0};
  {
    output_batch a;
    a.counted = counted_bytes{&total, 100};
    CHECK(total == 100);
    output_batch b = std::move(a);  // handed on, still counted once
    CHECK(total == 100);
    std::vector<output_batch> held;
    held.push_back(std::move(b));
    CHECK(total == 100);
    output_batch copy = held.front();  // a copy counts nothing
    CHECK(total == 100);
    held.front().counted.release();
    CHECK(total == 0);
    held.front().counted.release();  // released once only
    CHECK(total == 0);
    output_batch c;
    c.counted = counted_bytes{&total, 30};
    c = output_batch{};  // replaced: the old count ends
    CHECK(total == 0);
    output_batch d;
    d.counted = counted_bytes{&total, 7};
  }
  CHECK(total == 0);  // every buffer ended
}
