// The cells of one open window: sparse while few series are present, dense
// (indexed by series id) once an eighth of them are, the same either way.
#include <catch2/catch.hpp>

#include <vector>

#include "actors/window_cells.hpp"

using namespace txstream;

TEST_CASE("window cells stay sparse for few series and turn dense for many", "[actors]") {
  constexpr std::size_t series = 8000;
  window_cells w;
  bool fresh = false;
  auto& c = w.at(4242, series, fresh);
  CHECK(fresh);
  c.count = 1;
  c.purchase = 500;
  w.at(4242, series, fresh).count += 1;
  CHECK_FALSE(fresh);
  CHECK(w.get(4242).count == 2);
  CHECK(w.get(4242).purchase == 500);
  CHECK_FALSE(w.dense());
  // A sparse window costs about its cells, not a cell per series.
  CHECK(w.bytes() < 4096);

  // Up to an eighth of the series: still sparse; from then on dense, with
  // every cell carried over.
  for (std::uint32_t sid = 0; sid < series / 8 - 1; ++sid) {
    auto& x = w.at(sid * 7 % series, series, fresh);
    if (fresh)
      x.count = 1;
  }
  const bool dense_before = w.dense();
  for (std::uint32_t sid = 1; !w.dense() && sid < series; sid += 2) {
    auto& x = w.at(sid, series, fresh);
    if (fresh)
      x.count = 1;
  }
  CHECK_FALSE(dense_before);
  CHECK(w.dense());
  CHECK(w.present().size() * 8 >= series);
  CHECK(w.get(4242).count == 2);
  CHECK(w.get(4242).purchase == 500);
  for (auto sid : w.present())
    CHECK(w.get(sid).count >= 1);
  // Dense: a present series is found, an absent one starts empty.
  auto& later = w.at(7999, series, fresh);
  CHECK(fresh == (later.count == 0));
}
