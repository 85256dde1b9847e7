#include "monitoring/cluster_probe.hpp"

#include "monitoring/family_builders.hpp"

namespace txstream::monitoring {

const std::vector<double>& cluster_probe::checkpoint_buckets() {
  static const std::vector<double> buckets{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                           0.5,   1,     2.5,  5,     10,   30,  60};
  return buckets;
}

cluster_probe::cluster_probe(metrics_registry& registry)
  : registry_(registry),
    partitions_owned_(
      gauge_family(registry, "txstream_partitions_owned", "Kafka partitions assigned to this node")
        .Add({})),
    shards_owned_(
      gauge_family(registry, "txstream_shards_owned", "State shards owned by this node").Add({})),
    cluster_size_(
      gauge_family(registry, "txstream_cluster_size", "Nodes visible in the cluster, self included")
        .Add({})),
    leader_(gauge_family(registry, "txstream_cluster_leader",
                         "1 while this node leads the cluster, else 0")
              .Add({})),
    map_version_(gauge_family(registry, "txstream_shard_map_version",
                              "The shard map version this node routes by (0: none)")
                   .Add({})),
    rebalances_(counter_family(registry, "txstream_rebalances_total",
                               "Consumer-group rebalances seen by this node")
                  .Add({})),
    shards_taken_over_(counter_family(registry, "txstream_shards_taken_over_total",
                                      "Shards new shard maps moved to this node from another "
                                      "(handovers; each rebuilt here from Kafka)")
                         .Add({})),
    map_change_pause_(histogram_family(registry, "txstream_map_change_pause_seconds",
                                       "Time this node processed nothing on a shard map change, "
                                       "from its old pipeline stopping to the new one starting")
                        .Add({}, checkpoint_buckets())),
    checkpoint_duration_(histogram_family(registry, "txstream_checkpoint_duration_seconds",
                                          "Time of one commit of input offsets, in seconds")
                           .Add({}, checkpoint_buckets())),
    checkpoint_age_(gauge_family(registry, "txstream_checkpoint_age_seconds",
                                 "Seconds since input offsets were last committed "
                                 "(or since start)")
                      .Add({})),
    last_checkpoint_(std::chrono::steady_clock::now()) {
  hook_ = registry_.add_collect_hook([this] { update_checkpoint_age(); });
}

cluster_probe::~cluster_probe() {
  registry_.remove_collect_hook(hook_);
}

void cluster_probe::checkpoint_completed(std::chrono::duration<double> took) {
  checkpoint_duration_.Observe(took.count());
  std::lock_guard<std::mutex> guard{mutex_};
  last_checkpoint_ = std::chrono::steady_clock::now();
}

void cluster_probe::update_checkpoint_age() {
  std::chrono::duration<double> age;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    age = std::chrono::steady_clock::now() - last_checkpoint_;
  }
  checkpoint_age_.Set(age.count());
}

}  // namespace txstream::monitoring
