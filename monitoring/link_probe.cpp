#include "monitoring/link_probe.hpp"

#include "monitoring/family_builders.hpp"

namespace txstream::monitoring {

const std::vector<double>& link_probe::round_trip_buckets() {
  static const std::vector<double> buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                           0.1,    0.25,  0.5,    1,     2.5,  5};
  return buckets;
}

link_probe::link::link(metrics_registry& r, const std::string& peer)
  : batches_(counter_family(r, "txstream_link_batches_total",
                            "Batches sent to aggregator hosts on a peer node")
               .Add({{"peer", peer}})),
    records_(
      counter_family(r, "txstream_link_records_total", "Records in the batches sent to a peer node")
        .Add({{"peer", peer}})),
    bytes_(counter_family(r, "txstream_link_bytes_total",
                          "Serialized bytes of the batches sent to a peer node")
             .Add({{"peer", peer}})),
    in_flight_(gauge_family(r, "txstream_link_in_flight_batches",
                            "Batches sent to a peer node and not yet processed there")
                 .Add({{"peer", peer}})),
    round_trip_(histogram_family(r, "txstream_link_round_trip_seconds",
                                 "From sending a batch to a peer node to its processed answer")
                  .Add({{"peer", peer}}, round_trip_buckets())),
    abandoned_(counter_family(r, "txstream_link_abandoned_batches_total",
                              "Batches a peer never answered before the pipeline ended "
                              "(their records are replayed from Kafka)")
                 .Add({{"peer", peer}})) {
  // nop
}

void link_probe::link::sent(std::size_t records, std::size_t bytes) {
  batches_.Increment();
  records_.Increment(static_cast<double>(records));
  bytes_.Increment(static_cast<double>(bytes));
  batches_n_.fetch_add(1, std::memory_order_relaxed);
  bytes_n_.fetch_add(bytes, std::memory_order_relaxed);
  in_flight_.Set(static_cast<double>(in_flight_n_.fetch_add(1, std::memory_order_relaxed) + 1));
}

void link_probe::link::answered(std::chrono::duration<double> round_trip) {
  round_trip_.Observe(round_trip.count());
  in_flight_.Set(static_cast<double>(in_flight_n_.fetch_sub(1, std::memory_order_relaxed) - 1));
}

link_probe::link_probe(metrics_registry& registry) : registry_(registry) {
  // nop
}

link_probe::link& link_probe::peer(const std::string& id) {
  auto& l = links_[id];
  if (!l)
    l = std::make_unique<link>(registry_, id);
  return *l;
}

void link_probe::name(const std::string& caf_node, const std::string& peer_id) {
  std::lock_guard<std::mutex> guard{mutex_};
  by_caf_node_[caf_node] = &peer(peer_id);
}

link_probe::link* link_probe::find(const std::string& caf_node) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = by_caf_node_.find(caf_node);
  return i == by_caf_node_.end() ? nullptr : i->second;
}

void link_probe::pipeline_ended() {
  std::lock_guard<std::mutex> guard{mutex_};
  for (auto& [id, l] : links_) {
    const auto n = l->in_flight_n_.exchange(0, std::memory_order_relaxed);
    if (n > 0)
      l->abandoned_.Increment(static_cast<double>(n));
    l->in_flight_.Set(0);
  }
}

std::vector<link_probe::totals> link_probe::snapshot() const {
  std::lock_guard<std::mutex> guard{mutex_};
  std::vector<totals> out;
  for (const auto& [id, l] : links_) {
    const auto in_flight = l->in_flight_n_.load(std::memory_order_relaxed);
    out.push_back({id, static_cast<std::uint64_t>(in_flight > 0 ? in_flight : 0),
                   l->batches_n_.load(std::memory_order_relaxed),
                   l->bytes_n_.load(std::memory_order_relaxed)});
  }
  return out;
}

}  // namespace txstream::monitoring
