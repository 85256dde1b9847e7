// Second node of the cluster transport tests (tests/nodes): publishes an
// echo actor on 127.0.0.1 through publish_node, prints the port, and exits
// when its stdin closes.
//
//   cluster_peer [--ca F --certificate F --key F] [--heartbeat-ms N] [--timeout-ms N]
//
// The echo actor answers every message with the message itself, except
// `count`, which it answers with how many other messages it got: a test
// asks to see that a refused client delivered nothing. A bad setting exits
// with status 2 and the config_error on stderr, before any connection.
#include <chrono>
#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <string>

#include <caf/all.hpp>

#include "config/config_error.hpp"
#include "messages/message_types.hpp"
#include "nodes/cluster_transport.hpp"

namespace {

using count_atom = caf::atom_constant<caf::atom("count")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;

struct echo_state {
  std::uint64_t received = 0;
};

caf::behavior echo(caf::stateful_actor<echo_state>* self) {
  // Reflecting through the default handler echoes any type, so a message
  // comes back only if it survived deserialisation here.
  self->set_default_handler([self](caf::scheduled_actor* ptr, caf::message_view& msg) {
    ++self->state.received;
    return caf::reflect(ptr, msg);
  });
  return {
    [self](count_atom) { return self->state.received; },
    [self](stop_atom) { self->quit(); },
  };
}

struct options {
  txstream::cluster_tls tls;
  std::chrono::milliseconds heartbeat_interval{0};
  std::chrono::milliseconds connection_timeout{0};
};

options parse(int argc, char** argv) {
  options opts;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc)
      throw std::invalid_argument{"no value after " + arg};
    std::string value = argv[++i];
    if (arg == "--ca")
      opts.tls.ca = value;
    else if (arg == "--certificate")
      opts.tls.certificate = value;
    else if (arg == "--key")
      opts.tls.key = value;
    else if (arg == "--heartbeat-ms")
      opts.heartbeat_interval = std::chrono::milliseconds{std::stol(value)};
    else if (arg == "--timeout-ms")
      opts.connection_timeout = std::chrono::milliseconds{std::stol(value)};
    else
      throw std::invalid_argument{"unknown option " + arg};
  }
  return opts;
}

}  // namespace

int main(int argc, char** argv) {
  options opts;
  caf::actor_system_config cfg;
  try {
    opts = parse(argc, argv);
    txstream::add_message_types(cfg);
    txstream::configure_transport(cfg, opts.tls, opts.heartbeat_interval, opts.connection_timeout);
  } catch (const std::exception& err) {
    std::cerr << "cluster_peer: " << err.what() << std::endl;
    return 2;
  }
  cfg.set("scheduler.max-threads", 2);
  caf::actor_system sys{cfg};
  auto actor = sys.spawn(echo);
  auto port = txstream::publish_node(sys, actor, "127.0.0.1", 0, opts.tls);
  if (!port) {
    std::cerr << "cluster_peer: publish failed: " << sys.render(port.error()) << std::endl;
    caf::anon_send(actor, stop_atom::value);
    return 1;
  }
  std::cout << *port << std::endl;
  // The parent holds our stdin; EOF means it is done or gone.
  std::string line;
  while (std::getline(std::cin, line)) {
    // nop
  }
  caf::anon_send(actor, stop_atom::value);
  return 0;
}
