#include "actors/node_directory_actor.hpp"

#include <string>

#include <caf/all.hpp>

#include "messages/inspect.hpp"

namespace txstream {

node_directory::behavior_type
node_directory_actor(node_directory::stateful_pointer<node_directory_state> self) {
  return {
    [=](hosts_atom, std::uint64_t version) -> caf::result<shard_routes, std::vector<caf::actor>> {
      auto& st = self->state;
      if (version == 0 || st.version != version)
        return caf::make_error(caf::sec::runtime_error, "this node runs shard map "
                                                          + std::to_string(st.version) + ", not "
                                                          + std::to_string(version));
      return {st.routes, st.hosts};
    },
    [=](hosts_atom, std::uint64_t version, shard_routes& routes, std::vector<caf::actor>& hosts) {
      auto& st = self->state;
      st.version = version;
      st.routes = std::move(routes);
      st.hosts = std::move(hosts);
    },
  };
}

}  // namespace txstream
