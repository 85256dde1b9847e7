// The generator's rate limiter, driven by a fake clock.
#include <catch2/catch.hpp>

#include "nodes/rate_limiter.hpp"

using namespace txstream;
using namespace std::chrono_literals;

namespace {

const rate_limiter::clock::time_point t0{std::chrono::seconds(1000)};

}  // namespace

TEST_CASE("rate limiter follows its schedule exactly", "[nodes]") {
  rate_limiter lim{5000, t0};
  // Record 0 is due at the start; record i at i / 5000 s.
  CHECK(lim.available(t0, 1000) == 1);
  CHECK(lim.available(t0 + 199us, 1000) == 1);
  CHECK(lim.available(t0 + 200us, 1000) == 2);
  lim.take(2);
  CHECK(lim.available(t0 + 200us, 1000) == 0);
  CHECK(lim.next_due() == t0 + 400us);
  CHECK(lim.available(t0 + 1s - 1ns, 1000000) == 4998);
  CHECK(lim.available(t0 + 1s, 10) == 10);
}

TEST_CASE("rate limiter over 10 simulated seconds is exact", "[nodes]") {
  // Wake-ups at jittery instants, as sleep_until gives them.
  for (std::uint64_t rate : {1u, 7u, 999u, 5000u, 123457u}) {
    rate_limiter lim{rate, t0};
    auto now = t0;
    std::uint64_t sent = 0;
    const auto end = t0 + 10s;
    std::uint64_t step = 0;
    while (now < end) {
      auto n = lim.available(now, 1000);
      lim.take(n);
      sent += n;
      if (n == 0)
        now = std::max(lim.next_due(), now) + std::chrono::microseconds(step++ % 97);
      else
        now += std::chrono::microseconds(step++ % 500);
    }
    // Exactly rate x 10 records are due in [0, 10 s): those sent plus those
    // that came due between the last wake-up and the end.
    INFO("rate " << rate);
    CHECK(sent + lim.available(end - 1ns, UINT64_MAX) == rate * 10);
    CHECK(static_cast<double>(sent) >= 0.98 * static_cast<double>(rate * 10));
  }
}

TEST_CASE("rate limiter does not burst after a long stall", "[nodes]") {
  rate_limiter lim{1000, t0, 1s};
  lim.take(lim.available(t0, 1000000));
  // A short stall is caught up: the long-run rate stays exact.
  CHECK(lim.available(t0 + 500ms, 1000000) == 500);
  lim.take(500);
  // A stall beyond the backlog is forgiven: one record now, then the rate.
  auto later = t0 + 10s;
  CHECK(lim.available(later, 1000000) == 1);
  lim.take(1);
  CHECK(lim.available(later + 10ms, 1000000) == 10);
}

TEST_CASE("rate 0 is unlimited", "[nodes]") {
  rate_limiter lim{0, t0};
  CHECK(lim.unlimited());
  CHECK(lim.available(t0, 1234) == 1234);
  lim.take(1234);
  CHECK(lim.available(t0, 1234) == 1234);
}
