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

TEST_CASE("the shard watermark is the minimum over active partitions", "[actors]") {
  watermark_tracker wt{5000};
  CHECK(wt.advance() == no_event_time);
  wt.on_batch(0, true);
  wt.set_max_event_time(0, 100000);
  CHECK(wt.partition_watermark(0) == 95000);
  CHECK(wt.advance() == 95000);
  wt.on_batch(1, true);
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

TEST_CASE("idle and finished partitions stop holding the watermark - silent "
          "ones do not",
          "[actors]") {
  watermark_tracker wt{5000};
  wt.on_batch(0, true);
  wt.set_max_event_time(0, 100000);
  wt.on_batch(1, true);
  wt.set_max_event_time(1, 20000);
  CHECK(wt.advance() == 15000);

  // However long partition 1 is silent, only its consumer can tell whether
  // records wait for it in Kafka: it holds until declared idle.
  wt.on_batch(0, false);
  CHECK(wt.is_active(1));
  CHECK(wt.advance() == 15000);
  wt.set_idle(1, true);
  CHECK_FALSE(wt.is_active(1));
  CHECK(wt.is_active(0));
  CHECK(wt.advance() == 95000);

  // Back with records: active again, but the watermark stays put.
  wt.on_batch(1, true);
  CHECK(wt.is_active(1));
  CHECK(wt.advance() == 95000);
  // Busy again without records yet (its consumer saw records waiting).
  wt.set_idle(1, true);
  wt.set_idle(1, false);
  CHECK(wt.is_active(1));

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

TEST_CASE("an assigned partition holds the watermark until its first data", "[actors]") {
  watermark_tracker wt{0};
  wt.assign(0);
  wt.assign(1);
  wt.on_batch(0, true);
  wt.set_max_event_time(0, 70000);
  CHECK(wt.advance() == no_event_time);
  wt.on_batch(1, false);  // an empty batch does not release the hold
  CHECK(wt.advance() == no_event_time);
  wt.on_batch(1, true);
  wt.set_max_event_time(1, 65000);
  CHECK(wt.advance() == 65000);

  SECTION("or until it is declared idle") {
    watermark_tracker w2{0};
    w2.assign(0);
    w2.assign(1);
    w2.on_batch(0, true);
    w2.set_max_event_time(0, 70000);
    CHECK(w2.advance() == no_event_time);
    w2.set_idle(1, true);
    CHECK(w2.advance() == 70000);
  }
}

TEST_CASE("a restored partition is active, or pending without a max", "[actors]") {
  watermark_tracker wt{1000};
  wt.restore(0, 80000);
  wt.restore(1, no_event_time);
  CHECK(wt.advance() == no_event_time);  // 1 holds it
  wt.on_batch(1, true);
  wt.set_max_event_time(1, 90000);
  CHECK(wt.advance() == 79000);
}
