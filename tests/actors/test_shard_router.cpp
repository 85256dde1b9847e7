#include <catch2/catch.hpp>

#include <cstdio>  // snprintf
#include <string>
#include <vector>

#include "actors/shard_router.hpp"

using namespace txstream;

namespace {

transaction tx_of(std::string merchant, std::int64_t offset) {
  transaction tx;
  tx.merchant_id = std::move(merchant);
  tx.source = {0, offset};
  return tx;
}

} // namespace

TEST_CASE("fnv1a_64 matches the published test vectors", "[actors]") {
  CHECK(fnv1a_64("") == 0xcbf29ce484222325ULL);
  CHECK(fnv1a_64("a") == 0xaf63dc4c8601ec8cULL);
  CHECK(fnv1a_64("foobar") == 0x85944171f73967e8ULL);
}

TEST_CASE("shard_of is fixed across processes and platforms", "[actors]") {
  // Values computed independently of this code; a change here moves state.
  CHECK(fnv1a_64("merchant_0007") == 0x55d56ad131cab877ULL);
  CHECK(shard_of("merchant_0007", 64) == 55);
  CHECK(shard_of("merchant_0042", 64) == 52);
  CHECK(shard_of("merchant_0042", 5) == 4);
  CHECK(shard_of("anything", 1) == 0);
}

TEST_CASE("shard_of spreads merchant ids evenly", "[actors]") {
  constexpr std::uint32_t shards = 64;
  constexpr int merchants = 64000;
  std::vector<int> hits(shards, 0);
  char buf[32];
  for (int i = 0; i < merchants; ++i) {
    std::snprintf(buf, sizeof buf, "merchant_%04d", i);
    ++hits[shard_of(buf, shards)];
  }
  const int mean = merchants / static_cast<int>(shards);
  for (auto h : hits) {
    CHECK(h > mean * 8 / 10);
    CHECK(h < mean * 12 / 10);
  }
}

TEST_CASE("aggregator actors host whole shards", "[actors]") {
  // Actor a hosts shards a, a + actors, ...: every merchant of a shard goes
  // to the same actor, whatever the actor count.
  CHECK(aggregator_of("merchant_0007", 64, 8) == 55 % 8);
  CHECK(aggregator_of("merchant_0042", 64, 8) == 52 % 8);
  CHECK(aggregator_of("merchant_0042", 64, 64) == 52);
  CHECK(aggregator_of("anything", 64, 1) == 0);
  aggregator_config cfg;
  CHECK(aggregator_count(cfg) == 8);  // the default: 64 shards on 8 actors
  cfg.shards = 4;
  CHECK(aggregator_count(cfg) == 4);  // never more actors than shards
  cfg.shards = 64;
  cfg.shard_actors = 100;
  CHECK(aggregator_count(cfg) == 64);
  CHECK(aggregator_of("merchant_0042", cfg) == 52);  // one actor per shard
  cfg.shard_actors = 8;
  CHECK(aggregator_of("merchant_0042", cfg) == 52 % 8);
}

TEST_CASE("split_indices keeps batch order and reuses buffers", "[actors]") {
  std::vector<transaction> txns;
  for (int i = 0; i < 100; ++i)
    txns.push_back(tx_of("merchant_" + std::to_string(i % 13), i));
  std::vector<std::vector<std::uint32_t>> parts;
  split_indices(txns, 8, parts);
  REQUIRE(parts.size() == 8);
  std::size_t total = 0;
  for (std::uint32_t s = 0; s < parts.size(); ++s) {
    total += parts[s].size();
    for (std::size_t k = 0; k < parts[s].size(); ++k) {
      CHECK(shard_of(txns[parts[s][k]].merchant_id, 8) == s);
      if (k > 0)
        CHECK(parts[s][k - 1] < parts[s][k]);
    }
  }
  CHECK(total == txns.size());
  split_indices({}, 8, parts);
  for (const auto& p : parts)
    CHECK(p.empty());
}

TEST_CASE("split_by_shard moves every transaction to its shard", "[actors]") {
  std::vector<transaction> txns;
  for (int i = 0; i < 50; ++i)
    txns.push_back(tx_of("m" + std::to_string(i % 7), i));
  auto parts = split_by_shard(std::move(txns), 4);
  REQUIRE(parts.size() == 4);
  std::size_t total = 0;
  for (std::uint32_t s = 0; s < 4; ++s) {
    total += parts[s].size();
    for (std::size_t k = 0; k < parts[s].size(); ++k) {
      CHECK(shard_of(parts[s][k].merchant_id, 4) == s);
      if (k > 0)
        CHECK(parts[s][k - 1].source.offset < parts[s][k].source.offset);
    }
  }
  CHECK(total == 50);
}
