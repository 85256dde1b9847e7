#include <catch2/catch.hpp>

#include "actors/tumbling_window.hpp"
#include "actors/watermark_tracker.hpp"

using namespace txstream;

TEST_CASE("windows are aligned to the epoch, also before it", "[actors]") {
  CHECK(window_start_of(0, 60000) == 0);
  CHECK(window_start_of(59999, 60000) == 0);
  CHECK(window_start_of(60000, 60000) == 60000);
  CHECK(window_start_of(1700000012345, 60000) == 1699999980000);
  CHECK(window_start_of(-1, 60000) == -60000);
  CHECK(window_start_of(-59999, 60000) == -60000);
  CHECK(window_start_of(-60000, 60000) == -60000);
  CHECK(window_start_of(-60001, 60000) == -120000);
  CHECK(saturating_sub(no_event_time + 3, 5) == no_event_time);
}

TEST_CASE("the shard watermark is the minimum over active partitions",
          "[actors]") {
  watermark_tracker wt{5000, 10000};
  CHECK(wt.advance() == no_event_time);
  wt.on_batch(0, 0, true);
  wt.set_max_event_time(0, 100000);
  CHECK(wt.partition_watermark(0) == 95000);
  CHECK(wt.advance() == 95000);
  wt.on_batch(1, 0, true);
  wt.set_max_event_time(1, 50000);
  // Monotonic: a slower newcomer does not pull the watermark back.
  CHECK(wt.advance() == 95000);
  wt.set_max_event_time(0, 200000);
  CHECK(wt.advance() == 95000);  // held by partition 1 at 45000
  wt.set_max_event_time(1, 150000);
  CHECK(wt.advance() == 145000);
  wt.set_max_event_time(1, 10);  // max never decreases
  CHECK(wt.max_event_time(1) == 150000);
}

TEST_CASE("idle and finished partitions stop holding the watermark",
          "[actors]") {
  watermark_tracker wt{5000, 10000};
  wt.on_batch(0, 1000, true);
  wt.set_max_event_time(0, 100000);
  wt.on_batch(1, 1000, true);
  wt.set_max_event_time(1, 20000);
  CHECK(wt.advance() == 15000);

  wt.on_batch(0, 11000, false);  // an empty batch is a liveness signal
  wt.detect_idle(11000);         // exactly the timeout: not idle yet
  CHECK(wt.is_active(1));
  wt.detect_idle(11001);
  CHECK_FALSE(wt.is_active(1));
  CHECK(wt.is_active(0));
  CHECK(wt.advance() == 95000);

  // Back with a batch: active again, but the watermark stays put.
  wt.on_batch(1, 12000, true);
  CHECK(wt.is_active(1));
  CHECK(wt.advance() == 95000);

  wt.finish(0);
  wt.finish(1);
  // Everything excluded: the watermark does not move.
  wt.set_max_event_time(0, 500000);
  CHECK(wt.advance() == 95000);
  wt.raise_to(1000000);
  CHECK(wt.watermark() == 1000000);
  wt.raise_to(5);
  CHECK(wt.watermark() == 1000000);
}

TEST_CASE("an assigned partition holds the watermark until its first data",
          "[actors]") {
  watermark_tracker wt{0, 10000};
  wt.assign(0, 0);
  wt.assign(1, 0);
  wt.on_batch(0, 100, true);
  wt.set_max_event_time(0, 70000);
  CHECK(wt.advance() == no_event_time);
  wt.on_batch(1, 200, false);  // liveness alone does not release the hold
  CHECK(wt.advance() == no_event_time);
  wt.on_batch(1, 300, true);
  wt.set_max_event_time(1, 65000);
  CHECK(wt.advance() == 65000);

  SECTION("or until it goes idle") {
    watermark_tracker w2{0, 10000};
    w2.assign(0, 0);
    w2.assign(1, 0);
    w2.on_batch(0, 20000, true);
    w2.set_max_event_time(0, 70000);
    CHECK(w2.advance() == no_event_time);
    w2.detect_idle(20000);
    CHECK(w2.advance() == 70000);
  }
}

TEST_CASE("a revoked partition is dropped until it sends again",
          "[actors]") {
  watermark_tracker wt{1000, 10000};
  wt.on_batch(0, 0, true);
  wt.set_max_event_time(0, 50000);
  wt.on_batch(1, 0, true);
  wt.set_max_event_time(1, 10000);
  CHECK(wt.advance() == 9000);
  wt.revoke(1);
  CHECK(wt.advance() == 49000);
  wt.on_batch(1, 1, true);
  CHECK(wt.is_active(1));
  CHECK(wt.advance() == 49000);
}

TEST_CASE("a restored partition is active, or pending without a max",
          "[actors]") {
  watermark_tracker wt{1000, 10000};
  wt.restore(0, 80000, 0);
  wt.restore(1, no_event_time, 0);
  CHECK(wt.advance() == no_event_time);  // 1 holds it
  wt.on_batch(1, 5, true);
  wt.set_max_event_time(1, 90000);
  CHECK(wt.advance() == 79000);
}
