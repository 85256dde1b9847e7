// compact_string: inline up to 47 bytes, heap beyond, value semantics.
#include <catch2/catch.hpp>

#include <string>
#include <utility>

#include "messages/compact_string.hpp"

using txstream::compact_string;

TEST_CASE("compact_string holds short and long values", "[messages]") {
  const std::string uuid = "3902d972-401d-4765-b59e-b8a9d251c2b4";
  const std::string at_capacity(compact_string::inline_capacity, 'x');
  const std::string beyond(compact_string::inline_capacity + 1, 'y');
  const std::string long_id(128, 'z');
  for (const auto& value : {std::string{}, uuid, at_capacity, beyond, long_id}) {
    compact_string s{value};
    CHECK(s.view() == value);
    CHECK(s.size() == value.size());
    CHECK(s.empty() == value.empty());
    CHECK(s.str() == value);
  }
}

TEST_CASE("compact_string copies and moves like a value", "[messages]") {
  const std::string long_id(100, 'q');
  for (const auto& value : {std::string{"user_42"}, long_id}) {
    compact_string a{value};
    compact_string b{a};
    CHECK(b == a);
    b = "other";
    CHECK(a.view() == value);
    CHECK(b.view() == "other");
    b = a;
    CHECK(b.view() == value);
    compact_string c{std::move(a)};
    CHECK(c.view() == value);
    CHECK(a.empty());  // NOLINT: moved-from is specified empty
    a = std::move(c);
    CHECK(a.view() == value);
    CHECK(c.empty());             // NOLINT
    a = compact_string{long_id};  // long over long, then short over long
    CHECK(a.view() == long_id);
    a = "s";
    CHECK(a.view() == "s");
  }
}
