// Incarnations: their text, and an order every node agrees on.
#include <catch2/catch.hpp>

#include "messages/incarnation.hpp"

using namespace txstream;

TEST_CASE("incarnations are zero-padded start time and generation", "[messages]") {
  CHECK(make_incarnation(1700000000000, 2) == "1700000000000-000002");
  CHECK(make_incarnation(5, 0) == "0000000000005-000000");
  CHECK(make_incarnation(1700000000000, 4000000000u) == "1700000000000-4000000000");
  auto p = parse_incarnation("1700000000000-000002");
  REQUIRE(p);
  CHECK(p->process_started_ms == 1700000000000);
  CHECK(p->generation == 2);
  CHECK(parse_incarnation("17-2"));
  for (const char* bad : {"", "-", "17", "17-", "-2", "a-2", "17-2x", "17--2", " 17-2",
                          "17-4294967296", "99999999999999999999-1"}) {
    INFO(bad);
    CHECK_FALSE(parse_incarnation(bad));
  }
}

TEST_CASE("incarnations order by start time, then generation", "[messages]") {
  const auto a = make_incarnation(1700000000000, 0);
  const auto b = make_incarnation(1700000000000, 1);
  const auto c = make_incarnation(1700000000001, 0);
  CHECK(compare_incarnations(a, a) == 0);
  CHECK(compare_incarnations(a, b) < 0);
  CHECK(compare_incarnations(b, a) > 0);
  CHECK(compare_incarnations(b, c) < 0);
  // Numbers, not text: a wider generation or start time is not older.
  CHECK(compare_incarnations("1700000000000-000009", "1700000000000-10") < 0);
  CHECK(compare_incarnations("999-0", "1000-0") < 0);
  // Another spelling of the same numbers is another incarnation (0 means
  // the same text), ordered as text.
  CHECK(compare_incarnations("17-2", "0000000000017-000002") > 0);
  CHECK(compare_incarnations("0000000000017-000002", "17-2") < 0);
  // Malformed ones are older than any well-formed one, and ordered as text.
  CHECK(compare_incarnations("x", "0-0") < 0);
  CHECK(compare_incarnations("0-0", "x") > 0);
  CHECK(compare_incarnations("a", "b") < 0);
  CHECK(compare_incarnations("b", "a") > 0);
  CHECK(compare_incarnations("b", "b") == 0);
}
