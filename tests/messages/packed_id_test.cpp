// packed_id: UUIDs in 16 bytes, short ids inline, long ones on the heap;
// str() always gives back the stored text.
#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "messages/packed_id.hpp"

using txstream::packed_id;

TEST_CASE("packed_id gives back exactly the text it stored", "[messages]") {
  const std::vector<std::string> values = {
    "",
    "t-1",
    "3902d972-401d-4765-b59e-b8a9d251c2b4",   // lower-case UUID: packed
    "3902D972-401D-4765-B59E-B8A9D251C2B4",   // upper-case UUID: packed
    "12345678-1234-1234-1234-123456789012",   // digits only
    "3902d972-401D-4765-b59e-b8a9d251c2b4",   // mixed case: kept as text
    "3902d972-401d-4765-b59e-b8a9d251c2bg",   // not hex
    "3902d972+401d-4765-b59e-b8a9d251c2b4",   // dash missing
    "3902d972-401d-4765-b59e-b8a9d251c2b",    // one short
    "3902d972-401d-4765-b59e-b8a9d251c2b4a",  // one long
    std::string(packed_id::inline_capacity, 'x'),
    std::string(packed_id::inline_capacity + 1, 'y'),
    std::string(200, 'z'),
    std::string("nul\0inside", 10),
  };
  for (const auto& v : values) {
    INFO(v);
    packed_id id{v};
    CHECK(id.str() == v);
    CHECK(id.empty() == v.empty());
    char scratch[36];
    CHECK(id.view(scratch) == v);
    CHECK(id.equals(v));
  }
}

TEST_CASE("packed_id equals only its own text, whatever the form", "[messages]") {
  const packed_id lower{"3902d972-401d-4765-b59e-b8a9d251c2b4"};
  CHECK_FALSE(lower.equals("3902D972-401D-4765-B59E-B8A9D251C2B4"));
  CHECK_FALSE(lower.equals("3902d972-401d-4765-b59e-b8a9d251c2b5"));
  CHECK_FALSE(lower.equals("3902d972-401D-4765-b59e-b8a9d251c2b4"));
  CHECK_FALSE(lower.equals(""));
  const packed_id upper{"3902D972-401D-4765-B59E-B8A9D251C2B4"};
  CHECK_FALSE(upper.equals("3902d972-401d-4765-b59e-b8a9d251c2b4"));
  const packed_id text{"user_42"};
  CHECK_FALSE(text.equals("user_4"));
  CHECK_FALSE(text.equals("user_43"));
  const packed_id heap{std::string(40, 'h')};
  CHECK_FALSE(heap.equals(std::string(39, 'h')));
  CHECK_FALSE(packed_id{}.equals("x"));
}

TEST_CASE("packed_id copies and moves like a value", "[messages]") {
  for (const auto& v : {std::string{"user_42"}, std::string{"3902d972-401d-4765-b59e-b8a9d251c2b4"},
                        std::string(100, 'q')}) {
    INFO(v);
    packed_id a{v};
    packed_id b{a};
    CHECK(b == a);
    b.assign("other");
    CHECK(a.str() == v);
    CHECK(b.str() == "other");
    b = a;
    CHECK(b.str() == v);
    packed_id c{std::move(a)};
    CHECK(c.str() == v);
    CHECK(a.empty());  // NOLINT: moved-from is specified empty
    a = std::move(c);
    CHECK(a.str() == v);
    a = a;  // NOLINT: self-assignment keeps the value
    CHECK(a.str() == v);
    std::vector<packed_id> grown;
    for (int i = 0; i < 100; ++i)
      grown.push_back(a);  // reallocations move heap values
    for (const auto& g : grown)
      CHECK(g.str() == v);
  }
}
