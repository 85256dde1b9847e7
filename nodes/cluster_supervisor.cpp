#include "nodes/cluster_supervisor.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/shard_router.hpp"
#include "config/cluster_config.hpp"
#include "messages/atoms.hpp"
#include "messages/inspect.hpp"
#include "messages/pipeline_error.hpp"
#include "nodes/cluster_transport.hpp"
#include "nodes/pipeline_parts.hpp"

namespace txstream {

namespace {

using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// Sends poll_atom to an actor every `interval` while it lives, so a
/// blocking receive wakes to look at the cluster without an `after` clause.
class ticker {
public:
  ticker(caf::actor whom, milliseconds interval)
    : thread_([this, whom, interval] {
        std::unique_lock<std::mutex> lock{mutex_};
        while (!done_) {
          if (cv_.wait_for(lock, interval, [this] { return done_; }))
            break;
          caf::anon_send(whom, poll_atom::value);
        }
      }) {
  }

  ~ticker() {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

/// The shards `map` gives this node's incarnation, ascending.
std::vector<std::uint32_t> shards_for(const shard_map& map, const std::string& id,
                                      const std::string& incarnation) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t s = 0; s < map.shards(); ++s)
    if (const auto* n = map.owner_of(s);
        n != nullptr && n->id == id && n->incarnation == incarnation)
      out.push_back(s);
  return out;
}

bool lists(const shard_map& map, const std::string& id, const std::string& incarnation) {
  return std::any_of(map.nodes.begin(), map.nodes.end(),
                     [&](const map_node& n) { return n.id == id && n.incarnation == incarnation; });
}

bool every_shard_owned(const shard_map& map) {
  return map.shards() > 0
         && std::all_of(map.owner.begin(), map.owner.end(), [](auto o) { return o != no_owner; });
}

/// This node's routes for `shards`: the i-th on host i mod hosts, with as
/// many hosts as aggregation.shard_actors allows.
shard_routes own_routes(const aggregator_config& cfg, std::uint64_t version,
                        std::uint32_t shard_count, const std::vector<std::uint32_t>& shards) {
  shard_routes r;
  r.epoch = version;
  r.host_of.assign(shard_count, no_host);
  r.hosts = static_cast<std::uint32_t>(std::min<std::size_t>(aggregator_count(cfg), shards.size()));
  for (std::size_t i = 0; i < shards.size(); ++i)
    r.host_of[shards[i]] = static_cast<std::uint32_t>(i % r.hosts);
  return r;
}

/// Another node's directory, as connected for one map.
struct peer {
  std::string id;
  std::string incarnation;
  node_directory directory;
  shard_routes routes;
  std::vector<caf::actor> hosts;
};

}  // namespace

cluster_supervisor::cluster_supervisor(caf::actor_system& sys, const node_config& cfg,
                                       pipeline_context& ctx, cluster_manager& manager,
                                       node_directory directory, cluster_tls tls,
                                       bool until_drained, const std::atomic<bool>& stop,
                                       monitoring::health_state& health,
                                       monitoring::cluster_probe& metrics)
  : sys_(sys),
    cfg_(cfg),
    ctx_(ctx),
    manager_(manager),
    directory_(std::move(directory)),
    tls_(std::move(tls)),
    until_drained_(until_drained),
    stop_(stop),
    health_(health),
    metrics_(metrics),
    budget_(cfg.supervision) {
  const auto roles = parse_roles(cfg.cluster.roles).roles;
  ingest_ = roles.ingest;
  aggregate_ = roles.aggregate;
  ctx_.partitions_changed = [this](const std::vector<std::int32_t>& parts) {
    std::lock_guard<std::mutex> guard{mutex_};
    partitions_ = parts;
  };
}

void cluster_supervisor::report(std::uint64_t map_version, std::vector<std::uint32_t> shards,
                                drain_stage drain, bool now) {
  node_activity a;
  a.map_version = map_version;
  a.shards = std::move(shards);
  a.drain = drain;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    a.partitions = partitions_;
  }
  std::sort(a.partitions.begin(), a.partitions.end());
  if (ctx_.links != nullptr)
    for (auto& l : ctx_.links->snapshot())
      a.links.push_back({std::move(l.peer), l.in_flight, l.batches, l.bytes});
  // Link traffic goes out with the next regular heartbeat; the rest at once.
  const bool changed = a.map_version != activity_.map_version || a.shards != activity_.shards
                       || a.drain != activity_.drain || a.partitions != activity_.partitions;
  activity_ = a;
  manager_.report(std::move(a), now || changed);
}

void cluster_supervisor::count_handover(std::uint64_t version,
                                        const std::vector<std::uint32_t>& mine) {
  if (!stopped_at_)
    return;  // this node's first map: nothing was handed over yet
  const auto paused = clock::now() - *stopped_at_;
  std::size_t taken = 0;
  for (auto s : mine)
    taken += std::binary_search(last_shards_.begin(), last_shards_.end(), s) ? 0 : 1;
  metrics_.shards_taken_over(taken);
  metrics_.map_change_paused(paused);
  spdlog::info("cluster: map {} takes input {} ms after the previous map's pipeline stopped; "
               "{} of its {} shards here are new to this node",
               version, std::chrono::duration_cast<milliseconds>(paused).count(), taken,
               mine.size());
}

void cluster_supervisor::update_metrics() {
  const auto s = manager_.summary();
  metrics_.cluster_size(static_cast<std::int64_t>(s.live_nodes));
  metrics_.leader(s.leader);
  metrics_.shards_owned(static_cast<std::int64_t>(activity_.shards.size()));
  std::lock_guard<std::mutex> guard{mutex_};
  metrics_.partitions_owned(static_cast<std::int64_t>(partitions_.size()));
}

std::optional<shard_map> cluster_supervisor::await_map() {
  health_.set_ready(false, "waiting for a shard map");
  std::uint64_t seen = 0;
  std::optional<clock::time_point> excluded_since;
  std::uint64_t waiting_for = 0;
  for (;;) {
    if (stop_.load())
      return std::nullopt;
    update_metrics();
    if (auto map = manager_.adopted()) {
      // No pipeline runs here now: this node routes by nothing older.
      report(map->version, {}, drain_stage::none, false);
      const auto me = manager_.incarnation();
      const bool placed = !aggregate_ || lists(*map, cfg_.node_id, me);
      if (placed && every_shard_owned(*map) && manager_.barrier_passed(map->version)
          && ctx_.lease_valid())
        return map;
      if (map->version != waiting_for) {
        waiting_for = map->version;
        spdlog::info("cluster: map {} adopted; waiting for {}", map->version,
                     !placed                    ? "a map that places this node"
                     : !every_shard_owned(*map) ? "an aggregate node"
                                                : "every node to route by it");
      }
      // An aggregate node the maps keep leaving out (the leader took an
      // incarnation of it for dead) rejoins as a new one.
      if (placed) {
        excluded_since.reset();
      } else if (!excluded_since) {
        excluded_since = clock::now();
      } else if (clock::now() - *excluded_since > milliseconds(2 * cfg_.cluster.node_timeout_ms)) {
        spdlog::warn("cluster: left out of shard maps for {} ms, rejoining as a new "
                     "incarnation",
                     2 * cfg_.cluster.node_timeout_ms);
        manager_.next_generation();
        excluded_since.reset();
      }
    }
    seen = manager_.wait_for_change(seen, milliseconds(200));
  }
}

cluster_supervisor::map_end cluster_supervisor::run_map(caf::scoped_actor& self,
                                                        const shard_map& map) {
  const auto version = map.version;
  const auto me = manager_.incarnation();
  const auto mine = shards_for(map, cfg_.node_id, me);
  const auto own = own_routes(ctx_.aggregation, version, map.shards(), mine);
  auto current = [&] {
    auto adopted = manager_.adopted();
    return adopted && adopted->version == version;
  };
  spdlog::info("cluster: running shard map {}: {} shards on {} hosts here", version, mine.size(),
               own.hosts);
  pipeline_actors p;
  std::vector<peer> peers;
  map_end end = map_end::failed;
  bool started = false;
  try {
    const auto totals = mine.empty() ? std::vector<running_total>{}
                                     : read_running_totals(cfg_, ctx_);
    const auto partitions = input_partition_count(cfg_, ctx_);
    spawn_sinks(sys_, cfg_, ctx_, p);
    spawn_hosts(sys_, ctx_, own, totals, partitions, p);
    // After spawn_hosts, which resets the window metrics: a node's map
    // version says its open-window count is the new map's.
    metrics_.shard_map_version(version);
    caf::anon_send(directory_, hosts_atom::value, version, own, p.hosts);
    report(version, mine, drain_stage::none, true);
    started = true;
    if (ingest_) {
      // Every other aggregate node's hosts at this version: its directory
      // answers once that node runs the same map.
      for (const auto& n : map.nodes) {
        if (n.id == cfg_.node_id)
          continue;
        std::string host;
        std::uint16_t port = 0;
        if (!split_host_port(n.endpoint, host, port))
          throw std::runtime_error("node " + n.id + " advertises " + n.endpoint
                                   + ", not host:port");
        auto& x = peers.emplace_back(peer{n.id, n.incarnation, {}, {}, {}});
        while (!x.directory) {
          if (stop_.load() || !current()) {
            started = false;
            break;
          }
          auto conn = connect_node(sys_, host, port, tls_);
          if (conn) {
            auto dir = caf::actor_cast<node_directory>(*conn);
            self->request(dir, std::chrono::seconds(2), hosts_atom::value, version)
              .receive(
                [&](shard_routes& r, std::vector<caf::actor>& hs) {
                  if (r.epoch == version && r.hosts == hs.size()) {
                    if (ctx_.links != nullptr)
                      ctx_.links->name(to_string(dir.node()), n.id);
                    x.directory = dir;
                    x.routes = std::move(r);
                    x.hosts = std::move(hs);
                  }
                },
                [&](caf::error& e) {
                  spdlog::debug("cluster: {} not ready for map {}: {}", n.id, version,
                                sys_.render(e));
                });
          } else {
            spdlog::debug("cluster: cannot reach {} at {}: {}", n.id, n.endpoint,
                          sys_.render(conn.error()));
          }
          if (!x.directory)
            std::this_thread::sleep_for(milliseconds(250));
        }
        if (!started)
          break;
        self->monitor(x.directory);
      }
      if (started) {
        std::vector<shard_routes> routes;
        std::vector<caf::actor> hosts;
        for (const auto& n : map.nodes) {
          if (n.id == cfg_.node_id) {
            routes.push_back(own);
            hosts.insert(hosts.end(), p.hosts.begin(), p.hosts.end());
            continue;
          }
          auto x = std::find_if(peers.begin(), peers.end(),
                                [&](const peer& q) { return q.id == n.id; });
          routes.push_back(x->routes);
          hosts.insert(hosts.end(), x->hosts.begin(), x->hosts.end());
        }
        std::string error;
        auto joined = join_routes(version, routes, map.shards(), &error);
        if (!joined)
          throw std::runtime_error("the nodes' routes for map " + std::to_string(version)
                                   + " do not fit: " + error);
        spawn_ingress(sys_, cfg_, ctx_, until_drained_, 0, stop_, *joined, hosts, p);
      }
    }
    if (started)
      count_handover(version, mine);
  } catch (const std::exception& e) {
    spdlog::error("cluster: cannot start the pipeline of map {}: {}", version, e.what());
    started = false;
    end = map_end::failed;
  }
  if (!started && end == map_end::failed && (stop_.load() || !current()))
    end = stop_.load() ? map_end::stopped : map_end::map_changed;

  std::size_t down = 0;
  const auto local = p.all();
  for (const auto& a : local)
    self->monitor(a);
  if (started) {
    health_.set_ready(true);
    ticker tick{caf::actor_cast<caf::actor>(self), milliseconds(200)};
    bool input_done = false;
    bool running = true;
    // When a peer's connection dropped: a dead peer leaves the map within
    // the leader's node timeout; one that lives on (its heartbeats still
    // arrive) but cannot be reached leaves this node's batches to it, and
    // its batches here, nowhere.
    std::optional<clock::time_point> peer_lost_at;
    // When the group's commits were last compared with the input's ends.
    clock::time_point input_checked_at{};
    auto is_local = [&](const caf::actor_addr& a) {
      return std::any_of(local.begin(), local.end(),
                         [&](const caf::actor& x) { return x.address() == a; });
    };
    while (running) {
      self->receive(
        [&](caf::down_msg& dm) {
          if (is_local(dm.source)) {
            ++down;
            if (dm.source == p.ingress && !dm.reason) {
              if (stop_.load()) {
                end = map_end::stopped;
                running = false;
              } else {
                // This node's input is drained and committed; its hosts keep
                // serving the other nodes until all of them are.
                input_done = true;
                report(version, mine, drain_stage::committed, true);
              }
            } else if (!counts_as_failure(dm.reason) || !current()) {
              spdlog::info("cluster: pipeline of map {} ends: {}", version, sys_.render(dm.reason));
              end = map_end::map_changed;
              running = false;
            } else {
              spdlog::error("cluster: pipeline of map {} failed: {}", version,
                            sys_.render(dm.reason));
              end = map_end::failed;
              running = false;
            }
            return;
          }
          for (auto i = peers.begin(); i != peers.end(); ++i)
            if (i->directory && i->directory.address() == dm.source) {
              spdlog::warn("cluster: lost {} ({}): {}", i->id, i->incarnation,
                           sys_.render(dm.reason));
              manager_.peer_unreachable(i->id, i->incarnation);
              i->directory = nullptr;
              if (!peer_lost_at)
                peer_lost_at = clock::now();
            }
        },
        [&](poll_atom) {
          update_metrics();
          report(version, mine, input_done ? drain_stage::committed : drain_stage::none, false);
          if (!current()) {
            end = map_end::map_changed;
            running = false;
          } else if (peer_lost_at
                     && clock::now() - *peer_lost_at
                          > milliseconds(2 * cfg_.cluster.node_timeout_ms)) {
            // The map outlived the peer's connection: the peer is live but
            // unreachable from here. Rejoining as a new incarnation makes
            // the leader place the shards anew, and every node connect anew.
            spdlog::warn("cluster: a peer of map {} is unreachable but still in the map after "
                         "{} ms; rejoining as a new incarnation",
                         version, 2 * cfg_.cluster.node_timeout_ms);
            end = map_end::rejoin;
            running = false;
          } else if (until_drained_ && (input_done || !ingest_) && manager_.drained()
                     && clock::now() - input_checked_at > std::chrono::seconds(1)) {
            // Every live ingest node drained its partitions, but a dead
            // node's partitions may wait for the group to hand them over
            // (and its shards for a new map): the input is drained only
            // when the group committed all of it.
            input_checked_at = clock::now();
            if (input_committed_to_end(cfg_, ctx_)) {
              end = map_end::drained;
              running = false;
            }
          } else if (stop_.load() && !p.ingress) {
            end = map_end::stopped;
            running = false;
          }
        });
    }
  }
  stopped_at_ = clock::now();
  last_shards_ = mine;
  health_.set_ready(false, end == map_end::failed   ? "restarting after a failure"
                           : end == map_end::rejoin ? "rejoining: a peer is unreachable"
                                                    : "the shard map changed");
  caf::anon_send(directory_, hosts_atom::value, std::uint64_t{0}, shard_routes{},
                 std::vector<caf::actor>{});
  for (const auto& x : peers)
    if (x.directory)
      self->demonitor(x.directory.address());
  tear_down(self, p, down);
  if (ctx_.links != nullptr)
    ctx_.links->pipeline_ended();
  return end;
}

pipeline_outcome cluster_supervisor::run() {
  caf::scoped_actor self{sys_};
  auto finish = [&](pipeline_outcome outcome) {
    manager_.leave();
    return outcome;
  };
  for (;;) {
    auto map = await_map();
    if (!map)
      return finish(pipeline_outcome::stopped);
    const auto end = run_map(self, *map);
    switch (end) {
      case map_end::map_changed: break;
      case map_end::stopped: return finish(pipeline_outcome::stopped);
      case map_end::drained: return finish(pipeline_outcome::drained);
      case map_end::rejoin:
      case map_end::failed:
        if (stop_.load())
          return finish(pipeline_outcome::stopped);
        // The state this node held is gone: as a new incarnation it gets
        // shards the cluster rebuilds from Kafka. A peer that went away
        // (rejoin) is no failure of this node's: it spends no restart.
        manager_.next_generation();
        if (end == map_end::failed && !budget_.restart(ctx_))
          return finish(pipeline_outcome::escalated);
        break;
    }
  }
}

}  // namespace txstream
