// The cluster view from heartbeats: timeouts on the receiver's clock,
// "left", incarnation replacement, and unreachable nodes.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "actors/membership_state.hpp"
#include "messages/incarnation.hpp"

using namespace txstream;
using status = membership_state::member_status;
using outcome = membership_state::heartbeat_outcome;

namespace {

constexpr std::int64_t timeout = 6000;

node_heartbeat beat(const std::string& id, std::int64_t sent_ms, std::uint32_t generation = 0,
                    std::vector<std::string> roles = {"ingest", "aggregate"}) {
  node_heartbeat hb;
  hb.id = id;
  hb.incarnation = make_incarnation(1700000000000, generation);
  hb.endpoint = id + ":4100";
  hb.roles = std::move(roles);
  hb.started_ms = 1700000000000;
  hb.sent_ms = sent_ms;
  return hb;
}

std::vector<std::string> ids(const std::vector<node_heartbeat>& hbs) {
  std::vector<std::string> out;
  for (const auto& hb : hbs)
    out.push_back(hb.id);
  return out;
}

}  // namespace

TEST_CASE("a node is live until its heartbeat is node_timeout_ms old on the receiver's "
          "clock",
          "[actors]") {
  membership_state m{timeout};
  // The sender's clock is an hour behind: only received_ms counts.
  CHECK(m.on_heartbeat(beat("b", 1000), 1000000) == outcome::new_incarnation);
  CHECK(m.on_heartbeat(beat("a", 99999999), 1000000) == outcome::new_incarnation);
  CHECK(ids(m.live(1000000)) == std::vector<std::string>{"a", "b"});
  CHECK(ids(m.live(1000000 + timeout - 1)) == std::vector<std::string>{"a", "b"});
  CHECK(m.live(1000000 + timeout).empty());
  CHECK(m.status(m.all().at("a"), 1000000 + timeout) == status::silent);
  CHECK(m.next_expiry(1000000) == 1000000 + timeout);
  CHECK_FALSE(m.next_expiry(1000000 + timeout));
  // A fresh heartbeat brings it back.
  CHECK(m.on_heartbeat(beat("a", 99999999 + 7000), 1000000 + 7000) == outcome::refreshed);
  CHECK(m.is_live("a", 1000000 + 7000));
  CHECK_FALSE(m.is_live("b", 1000000 + 7000));
  CHECK_FALSE(m.is_live("nobody", 0));
  CHECK(m.node_timeout_ms() == timeout);
  CHECK_THROWS(membership_state{0});
}

TEST_CASE("aggregate_nodes lists the live aggregate nodes by id", "[actors]") {
  membership_state m{timeout};
  m.on_heartbeat(beat("c", 1), 0);
  m.on_heartbeat(beat("a", 1), 0);
  m.on_heartbeat(beat("ingest-only", 1, 0, {"ingest"}), 0);
  m.on_heartbeat(beat("old", 1), -timeout);
  auto nodes = m.aggregate_nodes(0);
  REQUIRE(nodes.size() == 2);
  CHECK(nodes[0] == map_node{"a", make_incarnation(1700000000000, 0), "a:4100"});
  CHECK(nodes[1].id == "c");
  CHECK(ids(m.live(0)) == std::vector<std::string>{"a", "c", "ingest-only"});
  CHECK(m.all().size() == 4);
}

TEST_CASE("a node that left is gone at once and stays gone until it starts again", "[actors]") {
  membership_state m{timeout};
  m.on_heartbeat(beat("a", 100), 100);
  auto bye = beat("a", 200);
  bye.state = node_state::left;
  CHECK(m.on_heartbeat(bye, 200) == outcome::refreshed);
  CHECK_FALSE(m.is_live("a", 200));
  CHECK(m.status(m.all().at("a"), 200) == status::left);
  // A late "up" of the same incarnation (a delayed record) changes nothing.
  CHECK(m.on_heartbeat(beat("a", 300), 300) == outcome::ignored);
  CHECK_FALSE(m.is_live("a", 300));
  // The process starts again: a newer incarnation.
  CHECK(m.on_heartbeat(beat("a", 400, 1), 400) == outcome::new_incarnation);
  CHECK(m.is_live("a", 400));
}

TEST_CASE("a newer incarnation replaces the old one - older ones are ignored", "[actors]") {
  membership_state m{timeout};
  m.on_heartbeat(beat("a", 100, 1), 100);
  // A heartbeat of the previous incarnation, written late: ignored.
  CHECK(m.on_heartbeat(beat("a", 150, 0), 150) == outcome::ignored);
  CHECK(m.all().at("a").heartbeat.incarnation == make_incarnation(1700000000000, 1));
  CHECK(m.all().at("a").received_ms == 100);
  // An older heartbeat of the same incarnation: ignored.
  CHECK(m.on_heartbeat(beat("a", 90, 1), 160) == outcome::ignored);
  CHECK(m.all().at("a").received_ms == 100);
  // The pipeline restarts (generation 2), then the process (a later start).
  CHECK(m.on_heartbeat(beat("a", 200, 2), 200) == outcome::new_incarnation);
  auto restarted = beat("a", 300, 0);
  restarted.incarnation = make_incarnation(1700000005000, 0);
  CHECK(m.on_heartbeat(restarted, 300) == outcome::new_incarnation);
  CHECK(m.aggregate_nodes(300).at(0).incarnation == restarted.incarnation);
}

TEST_CASE("an unreachable node is removed after the timeout, despite fresh heartbeats",
          "[actors]") {
  membership_state m{timeout};
  m.on_heartbeat(beat("a", 0), 0);
  m.on_heartbeat(beat("b", 0), 0);
  const auto inc = make_incarnation(1700000000000, 0);
  // Drops of another incarnation or an unknown node are not this node's.
  CHECK_FALSE(m.on_unreachable("a", make_incarnation(1700000000000, 5), 1000));
  CHECK_FALSE(m.on_unreachable("nobody", inc, 1000));
  CHECK(m.on_unreachable("a", inc, 1000));
  CHECK(m.on_unreachable("a", inc, 3000));  // keeps the first drop
  CHECK(*m.all().at("a").unreachable_since_ms == 1000);
  // Heartbeats keep coming (a reaches Kafka, not us).
  for (std::int64_t t = 1000; t <= 9000; t += 1000) {
    m.on_heartbeat(beat("a", t), t);
    m.on_heartbeat(beat("b", t), t);
    INFO(t);
    CHECK(m.is_live("a", t) == (t < 1000 + timeout));
  }
  CHECK(m.status(m.all().at("a"), 9000) == status::unreachable);
  CHECK(ids(m.live(9000)) == std::vector<std::string>{"b"});
  // The connection is made again: live at once.
  CHECK_FALSE(m.on_reachable("a", make_incarnation(1700000000000, 5)));
  CHECK(m.on_reachable("a", inc));
  CHECK_FALSE(m.on_reachable("a", inc));
  CHECK(m.is_live("a", 9000));
}

TEST_CASE("a short drop moves nothing - a restarted node is reachable again", "[actors]") {
  membership_state m{timeout};
  m.on_heartbeat(beat("a", 0), 0);
  const auto inc = make_incarnation(1700000000000, 0);
  m.on_unreachable("a", inc, 500);
  m.on_heartbeat(beat("a", 2000), 2000);
  CHECK(m.is_live("a", 500 + timeout - 1));
  // The grace ends before the heartbeat would time out.
  CHECK(m.next_expiry(2000) == 500 + timeout);
  CHECK_FALSE(m.is_live("a", 500 + timeout));
  // A newer incarnation clears the mark: a new process, a new connection.
  CHECK(m.on_heartbeat(beat("a", 7000, 1), 7000) == outcome::new_incarnation);
  CHECK_FALSE(m.all().at("a").unreachable_since_ms);
  CHECK(m.is_live("a", 7000));
}

TEST_CASE("a left node is not live even within the timeout - unreachable does not revive it",
          "[actors]") {
  membership_state m{timeout};
  auto bye = beat("a", 0);
  bye.state = node_state::left;
  CHECK(m.on_heartbeat(bye, 0) == outcome::new_incarnation);
  CHECK(m.live(0).empty());
  CHECK(m.on_reachable("a", bye.incarnation) == false);
  CHECK_FALSE(m.next_expiry(0));
}
