// Records per second through one cross-node aggregator link on loopback:
// shard_batch messages, as a partition-consumer sends them to a host on
// another node, serialized by CAF and carried over one BASP connection
// (plain TCP, or mutual TLS with --tls DIR), each answered by the host's
// shard_processed and shard_ack, with a bounded window of unacknowledged
// batches as the pipeline keeps.
//
//   bench_link [--tls DIR] [--seconds S] [--window W] [--batches 100,500,...]
//
// Starts the receiving node as a child process (this binary with `serve`),
// then, per batch size, sends for S seconds (after one second of warm-up)
// and prints `batch=<records> window=<w> records_per_s=<r> mb_per_s=<m>`.
// DIR holds ca.pem, node-1.pem/.key and node-2.pem/.key (scripts/cluster-ca
// DIR node-1 node-2). The receiver only answers: what is measured is the
// link (serialization on both ends, the loopback connection, the acks),
// not aggregation.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "messages/message_types.hpp"
#include "messages/pipeline_messages.hpp"
#include "messages/transaction_batch.hpp"
#include "nodes/cluster_transport.hpp"

namespace {

using stop_atom = caf::atom_constant<caf::atom("stop")>;
using clock_type = std::chrono::steady_clock;

txstream::cluster_tls tls_of(const std::string& dir, const std::string& node) {
  txstream::cluster_tls tls;
  if (!dir.empty()) {
    tls.ca = dir + "/ca.pem";
    tls.certificate = dir + "/" + node + ".pem";
    tls.key = dir + "/" + node + ".key";
  }
  return tls;
}

/// A node's actor system settings: the pipeline's message types and the
/// cluster transport (no middleman heartbeats: the run is short).
void configure_node(caf::actor_system_config& cfg, const txstream::cluster_tls& tls) {
  txstream::add_message_types(cfg);
  txstream::configure_transport(cfg, tls, std::chrono::milliseconds{0},
                                std::chrono::milliseconds{0});
}

/// The host's side: answers each batch as a merchant-aggregator host does,
/// with a processed note and an ack carrying one hold per shard run.
caf::behavior host(caf::event_based_actor* self) {
  return {
    [self](const txstream::shard_batch& b) {
      auto sender = caf::actor_cast<caf::actor>(self->current_sender());
      self->send(sender, txstream::shard_processed{b.partition, b.sequence, b.epoch, {}});
      txstream::shard_ack ack{b.partition, b.sequence, b.epoch, {}};
      for (const auto& r : b.runs)
        ack.holds.push_back({r.shard, b.records[r.begin].source.offset});
      self->send(sender, std::move(ack));
    },
    [self](stop_atom) { self->quit(); },
  };
}

int serve(const std::string& tls_dir) {
  caf::actor_system_config cfg;
  const auto tls = tls_of(tls_dir, "node-2");
  configure_node(cfg, tls);
  caf::actor_system sys{cfg};
  auto receiver = sys.spawn(host);
  auto port = txstream::publish_node(sys, receiver, "127.0.0.1", 0, tls);
  if (!port) {
    std::cerr << "bench_link serve: " << sys.render(port.error()) << std::endl;
    caf::anon_send(receiver, stop_atom::value);
    return 1;
  }
  std::cout << *port << std::endl;
  return 0;  // the system waits for the receiver, which the sender stops
}

/// A batch of `n` records of one partition over 8 shards, with merchant
/// ids and currencies of the generator's shapes.
txstream::shard_batch make_batch(std::size_t n) {
  txstream::shard_batch b;
  b.partition = 0;
  b.epoch = 1;
  const std::size_t shards = 8;
  for (std::size_t s = 0; s < shards; ++s) {
    txstream::shard_run run;
    run.shard = static_cast<std::uint32_t>(s * 8);
    run.begin = static_cast<std::uint32_t>(b.records.size());
    for (std::size_t i = s; i < n; i += shards) {
      txstream::shard_record r;
      r.merchant_id = "merchant_" + std::to_string(100 + i % 900);
      r.currency = i % 3 == 0 ? "EUR" : "USD";
      r.amount_cents = 1234 + static_cast<std::int64_t>(i);
      r.event_time_ms = 1'700'000'000'000 + static_cast<std::int64_t>(i);
      r.source.partition = 0;
      r.source.offset = static_cast<std::int64_t>(i);
      b.records.push_back(std::move(r));
    }
    run.end = static_cast<std::uint32_t>(b.records.size());
    b.runs.push_back(run);
  }
  b.max_event_time_ms = 1'700'000'000'000 + static_cast<std::int64_t>(n);
  return b;
}

std::size_t wire_bytes(caf::actor_system& sys, const txstream::shard_batch& b) {
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  auto copy = b;
  static_cast<void>(sink(copy));
  return buf.size();
}

/// Sends batches of `n` records to `receiver` with at most `window` not yet
/// acked, for `seconds` after a second of warm-up; records per second.
double measure(caf::actor_system& sys, const caf::actor& receiver, std::size_t n,
               std::size_t window, double seconds) {
  caf::scoped_actor self{sys};
  const auto batch = make_batch(n);
  std::uint64_t sent = 0;
  std::uint64_t acked = 0;
  auto send_one = [&] {
    auto b = batch;
    b.sequence = ++sent;
    b.link_sequence = b.sequence;
    self->send(receiver, std::move(b));
  };
  const auto start = clock_type::now();
  const auto warm = start + std::chrono::seconds(1);
  const auto end = warm
                   + std::chrono::duration_cast<clock_type::duration>(
                     std::chrono::duration<double>(seconds));
  std::uint64_t acked_at_warm = 0;
  bool warmed = false;
  while (sent - acked < window)
    send_one();
  for (;;) {
    self->receive([&](const txstream::shard_processed&) {},
                  [&](const txstream::shard_ack&) { ++acked; });
    const auto now = clock_type::now();
    if (!warmed && now >= warm) {
      warmed = true;
      acked_at_warm = acked;
    }
    if (now >= end)
      break;
    while (sent - acked < window)
      send_one();
  }
  // Drain what is still in flight, so the next size starts clean.
  while (acked < sent)
    self->receive([&](const txstream::shard_processed&) {},
                  [&](const txstream::shard_ack&) { ++acked; });
  return static_cast<double>((acked - acked_at_warm) * n) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  std::string tls_dir;
  double seconds = 5;
  std::size_t window = 16;
  std::vector<std::size_t> sizes{100, 500, 2000, 5000};
  bool serving = false;
  try {
    for (int i = 1; i < argc; ++i) {
      std::string arg = argv[i];
      if (arg == "serve") {
        serving = true;
        continue;
      }
      if (i + 1 >= argc)
        throw std::invalid_argument{"no value after " + arg};
      std::string value = argv[++i];
      if (arg == "--tls") {
        tls_dir = value;
      } else if (arg == "--seconds") {
        seconds = std::stod(value);
      } else if (arg == "--window") {
        window = std::stoul(value);
      } else if (arg == "--batches") {
        sizes.clear();
        std::stringstream list{value};
        for (std::string x; std::getline(list, x, ',');)
          sizes.push_back(std::stoul(x));
      } else {
        throw std::invalid_argument{"unknown option " + arg};
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "bench_link: " << e.what() << std::endl;
    return 2;
  }
  if (serving)
    return serve(tls_dir);

  const std::string child = std::string{argv[0]} + " serve"
                            + (tls_dir.empty() ? "" : " --tls " + tls_dir);
  FILE* peer = popen(child.c_str(), "r");
  if (peer == nullptr) {
    std::cerr << "bench_link: cannot start " << child << std::endl;
    return 1;
  }
  unsigned port = 0;
  if (std::fscanf(peer, "%u", &port) != 1) {
    std::cerr << "bench_link: the receiving node printed no port" << std::endl;
    pclose(peer);
    return 1;
  }
  int rc = 0;
  {
    caf::actor_system_config cfg;
    const auto tls = tls_of(tls_dir, "node-1");
    configure_node(cfg, tls);
    caf::actor_system sys{cfg};
    auto receiver = txstream::connect_node(sys, "127.0.0.1", static_cast<std::uint16_t>(port), tls);
    if (!receiver) {
      std::cerr << "bench_link: " << sys.render(receiver.error()) << std::endl;
      rc = 1;
    } else {
      for (auto n : sizes) {
        const auto rate = measure(sys, *receiver, n, window, seconds);
        const auto bytes = static_cast<double>(wire_bytes(sys, make_batch(n)));
        std::printf("batch=%zu window=%zu records_per_s=%.0f mb_per_s=%.1f%s\n", n, window, rate,
                    rate / static_cast<double>(n) * bytes / 1e6, tls_dir.empty() ? "" : " tls");
        std::fflush(stdout);
      }
      caf::anon_send(*receiver, stop_atom::value);
    }
  }
  pclose(peer);
  return rc;
}
