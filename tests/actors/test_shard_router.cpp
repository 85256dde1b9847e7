#include <catch2/catch.hpp>

#include <cstdio>  // snprintf
#include <string>
#include <vector>

#include "actors/shard_router.hpp"

using namespace txstream;

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

TEST_CASE("local routes put shard s on host s mod hosts", "[actors]") {
  aggregator_config cfg;
  CHECK(aggregator_count(cfg) == 8);  // the default: 64 shards on 8 hosts
  auto r = local_routes(cfg, 3);
  CHECK(r.epoch == 3);
  CHECK(r.hosts == 8);
  REQUIRE(r.shards() == 64);
  CHECK(r.host_of[shard_of("merchant_0007", 64)] == 55 % 8);
  CHECK(shards_of_host(r, 7) == std::vector<std::uint32_t>{7, 15, 23, 31, 39, 47, 55, 63});
  cfg.shards = 4;
  CHECK(aggregator_count(cfg) == 4);  // never more hosts than shards
  CHECK(local_routes(cfg).hosts == 4);
  cfg.shards = 64;
  cfg.shard_actors = 100;
  CHECK(local_routes(cfg).hosts == 64);  // a host per shard
  CHECK(local_routes(cfg).host_of[52] == 52);
}

TEST_CASE("join_routes puts each node's hosts after the previous node's", "[actors]") {
  shard_routes a{7, 2, {0, no_host, 1, no_host}};
  shard_routes b{7, 1, {no_host, 0, no_host, 0}};
  std::string error;
  auto joined = join_routes(7, {a, b}, 4, &error);
  REQUIRE(joined);
  CHECK(joined->epoch == 7);
  CHECK(joined->hosts == 3);
  CHECK(joined->host_of == std::vector<std::uint32_t>{0, 2, 1, 2});
  // Every shard exactly once, every node at the epoch.
  CHECK_FALSE(join_routes(8, {a, b}, 4, &error));
  CHECK(error == "node 0 routes by map 7, not 8");
  b.host_of[0] = 0;
  CHECK_FALSE(join_routes(7, {a, b}, 4, &error));
  CHECK(error == "shard 0 is hosted twice");
  b.host_of = {no_host, no_host, no_host, 0};
  CHECK_FALSE(join_routes(7, {a, b}, 4, &error));
  CHECK(error == "shard 1 has no host");
  b.host_of = {no_host, 3, no_host, 0};
  CHECK_FALSE(join_routes(7, {a, b}, 4, &error));
  CHECK(error == "node 1 puts shard 1 on host 3 of 1");
}
