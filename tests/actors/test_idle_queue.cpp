// idle_queue: entries come out smallest time first, whatever the push order;
// in-order pushes stay out of the heap.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <utility>
#include <vector>

#include "actors/idle_queue.hpp"

using txstream::idle_queue;

TEST_CASE("idle_queue pops in time order for any push order", "[actors]") {
  std::mt19937_64 rng{7};
  for (int trial = 0; trial < 50; ++trial) {
    idle_queue q;
    std::vector<std::pair<std::int64_t, std::uint32_t>> expected;
    std::int64_t t = 1000;
    // Mostly rising times, some behind (late events), interleaved with pops.
    for (std::uint32_t i = 0; i < 2000; ++i) {
      t += static_cast<std::int64_t>(rng() % 5);
      auto at = rng() % 8 == 0 ? t - static_cast<std::int64_t>(rng() % 300) : t;
      q.push(at, i);
      expected.emplace_back(at, i);
      if (rng() % 4 == 0) {
        auto smallest = std::min_element(expected.begin(), expected.end(),
                                         [](auto& a, auto& b) { return a.first < b.first; });
        REQUIRE(q.top().time_ms == smallest->first);
        // Among equal times any may come first: remove the one popped.
        auto popped = std::find(expected.begin(), expected.end(),
                                std::make_pair(q.top().time_ms, q.top().slot));
        REQUIRE(popped != expected.end());
        expected.erase(popped);
        q.pop();
      }
    }
    REQUIRE(q.size() == expected.size());
    std::int64_t last = INT64_MIN;
    while (!q.empty()) {
      REQUIRE(q.top().time_ms >= last);
      last = q.top().time_ms;
      q.pop();
    }
  }
}

TEST_CASE("idle_queue keeps in-order pushes out of the heap", "[actors]") {
  idle_queue q;
  for (std::uint32_t i = 0; i < 100; ++i)
    q.push(10 * i, i);
  q.push(990, 100);  // equal to the newest: still in order
  CHECK(q.out_of_order() == 0);
  q.push(5, 101);  // behind: heap
  CHECK(q.out_of_order() == 1);
  CHECK(q.top().slot == 0);
  q.pop();
  CHECK(q.top().slot == 101);
  q.pop();
  CHECK(q.top().slot == 1);
  CHECK(q.size() == 100);
}
