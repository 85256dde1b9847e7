// Second process of the cross-node message test (tests/messages): publishes an
// actor on 127.0.0.1 that answers every message with the message itself,
// prints the port, and exits when its stdin closes.
#include <iostream>
#include <string>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "messages/message_types.hpp"

namespace {

using stop_atom = caf::atom_constant<caf::atom("stop")>;

caf::behavior echo(caf::event_based_actor* self) {
  // Reflecting through the default handler echoes any type, which is the
  // point: the message must survive deserialisation here to come back.
  self->set_default_handler(caf::reflect);
  return {
    [self](stop_atom) { self->quit(); },
  };
}

}  // namespace

int main() {
  caf::actor_system_config cfg;
  txstream::add_message_types(cfg);
  cfg.load<caf::io::middleman>();
  cfg.set("scheduler.max-threads", 2);
  caf::actor_system sys{cfg};
  auto actor = sys.spawn(echo);
  auto port = sys.middleman().publish(actor, 0, "127.0.0.1", true);
  if (!port) {
    std::cerr << "publish failed: " << sys.render(port.error()) << std::endl;
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
