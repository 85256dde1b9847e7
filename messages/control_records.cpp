#include "messages/control_records.hpp"

#include <algorithm>
#include <set>

// Control records are a few per node and second, off the hot path: the
// general parser is fine here.
#include <nlohmann/json.hpp>

namespace txstream {

namespace {

using ordered = nlohmann::ordered_json;
using json = nlohmann::json;

constexpr auto int64_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

// Field readers: each returns false and sets `error` ("<field>: <why>")
// when `obj[key]` is missing or not what the record needs.
class reader {
public:
  explicit reader(std::string* error) : error_(error) {
    // nop
  }

  bool fail(std::string_view field, std::string_view why) {
    if (error_ != nullptr)
      *error_ = std::string{field} + ": " + std::string{why};
    return false;
  }

  const json* field(const json& obj, const char* key) {
    auto it = obj.find(key);
    if (it == obj.end()) {
      fail(key, "missing");
      return nullptr;
    }
    return &*it;
  }

  bool string(const json& obj, const char* key, std::string& out) {
    const auto* v = field(obj, key);
    if (v == nullptr)
      return false;
    if (!v->is_string())
      return fail(key, "expected a string");
    out = v->get_ref<const std::string&>();
    return true;
  }

  bool boolean(const json& obj, const char* key, bool& out) {
    const auto* v = field(obj, key);
    if (v == nullptr)
      return false;
    if (!v->is_boolean())
      return fail(key, "expected true or false");
    out = v->get<bool>();
    return true;
  }

  bool u64(std::string_view key, const json& v, std::uint64_t max, std::uint64_t& out) {
    if (!v.is_number_unsigned())
      return fail(key, "expected an unsigned integer");
    const auto x = v.get<std::uint64_t>();
    if (x > max)
      return fail(key, "out of range");
    out = x;
    return true;
  }

  bool u64(const json& obj, const char* key, std::uint64_t& out) {
    const auto* v = field(obj, key);
    return v != nullptr && u64(key, *v, std::numeric_limits<std::uint64_t>::max(), out);
  }

  bool i64(const json& obj, const char* key, std::int64_t& out) {
    const auto* v = field(obj, key);
    if (v == nullptr)
      return false;
    if (v->is_number_unsigned()) {
      std::uint64_t x = 0;
      if (!u64(key, *v, int64_max, x))
        return false;
      out = static_cast<std::int64_t>(x);
      return true;
    }
    if (!v->is_number_integer())
      return fail(key, "expected an integer");
    out = v->get<std::int64_t>();
    return true;
  }

  const json* array(const json& obj, const char* key) {
    const auto* v = field(obj, key);
    if (v == nullptr)
      return nullptr;
    if (!v->is_array()) {
      fail(key, "expected an array");
      return nullptr;
    }
    return v;
  }

  bool strings(const json& obj, const char* key, std::vector<std::string>& out) {
    const auto* a = array(obj, key);
    if (a == nullptr)
      return false;
    out.clear();
    for (const auto& v : *a) {
      if (!v.is_string())
        return fail(key, "expected an array of strings");
      out.push_back(v.get<std::string>());
    }
    return true;
  }

  template <class T>
  bool unsigned_numbers(const json& obj, const char* key, std::uint64_t max, std::vector<T>& out) {
    const auto* a = array(obj, key);
    if (a == nullptr)
      return false;
    out.clear();
    for (const auto& v : *a) {
      std::uint64_t x = 0;
      if (!u64(key, v, max, x))
        return false;
      out.push_back(static_cast<T>(x));
    }
    return true;
  }

private:
  std::string* error_;
};

std::optional<json> parse_object(std::string_view text, std::string* error) {
  auto j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) {
    if (error != nullptr)
      *error = "not JSON";
    return std::nullopt;
  }
  if (!j.is_object()) {
    if (error != nullptr)
      *error = "not a JSON object";
    return std::nullopt;
  }
  return j;
}

std::string dump(const ordered& j) {
  return j.dump(-1, ' ', false, ordered::error_handler_t::replace);
}

constexpr std::string_view heartbeat_key_prefix = "node/";

}  // namespace

bool link_stats::operator==(const link_stats& other) const {
  return peer == other.peer && in_flight == other.in_flight && sent == other.sent
         && bytes == other.bytes;
}

bool node_heartbeat::has_role(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool node_heartbeat::operator==(const node_heartbeat& other) const {
  return id == other.id && incarnation == other.incarnation && endpoint == other.endpoint
         && roles == other.roles && started_ms == other.started_ms && sent_ms == other.sent_ms
         && state == other.state && leader == other.leader && leader_epoch == other.leader_epoch
         && map_version == other.map_version && shards == other.shards
         && partitions == other.partitions && version == other.version && drain == other.drain
         && links == other.links;
}

bool map_node::operator==(const map_node& other) const {
  return id == other.id && incarnation == other.incarnation && endpoint == other.endpoint;
}

const map_node* shard_map::owner_of(std::uint32_t shard) const noexcept {
  if (shard >= owner.size() || owner[shard] >= nodes.size())
    return nullptr;
  return &nodes[owner[shard]];
}

bool shard_map::operator==(const shard_map& other) const {
  return version == other.version && leader == other.leader && leader_epoch == other.leader_epoch
         && made_ms == other.made_ms && nodes == other.nodes && owner == other.owner;
}

std::string_view to_string(node_state s) noexcept {
  return s == node_state::left ? "left" : "up";
}

std::string_view to_string(drain_stage d) noexcept {
  switch (d) {
    case drain_stage::at_end: return "at_end";
    case drain_stage::flushed: return "flushed";
    case drain_stage::committed: return "committed";
    case drain_stage::none: break;
  }
  return "";
}

std::optional<node_state> parse_node_state(std::string_view text) noexcept {
  if (text == "up")
    return node_state::up;
  if (text == "left")
    return node_state::left;
  return std::nullopt;
}

std::optional<drain_stage> parse_drain_stage(std::string_view text) noexcept {
  for (auto d :
       {drain_stage::none, drain_stage::at_end, drain_stage::flushed, drain_stage::committed})
    if (text == to_string(d))
      return d;
  return std::nullopt;
}

std::string encode(const node_heartbeat& hb) {
  ordered j;
  j["id"] = hb.id;
  j["incarnation"] = hb.incarnation;
  j["endpoint"] = hb.endpoint;
  j["roles"] = hb.roles;
  j["startedMs"] = hb.started_ms;
  j["sentMs"] = hb.sent_ms;
  j["state"] = to_string(hb.state);
  j["leader"] = hb.leader;
  j["leaderEpoch"] = hb.leader_epoch;
  j["mapVersion"] = hb.map_version;
  j["shards"] = hb.shards;
  j["partitions"] = hb.partitions;
  j["version"] = hb.version;
  j["drain"] = to_string(hb.drain);
  auto links = ordered::array();
  for (const auto& l : hb.links)
    links.push_back(
      ordered{{"peer", l.peer}, {"inFlight", l.in_flight}, {"sent", l.sent}, {"bytes", l.bytes}});
  j["links"] = std::move(links);
  return dump(j);
}

std::string encode(const shard_map& map) {
  ordered j;
  j["version"] = map.version;
  j["leader"] = map.leader;
  j["leaderEpoch"] = map.leader_epoch;
  j["madeMs"] = map.made_ms;
  auto nodes = ordered::array();
  for (const auto& n : map.nodes)
    nodes.push_back(
      ordered{{"id", n.id}, {"incarnation", n.incarnation}, {"endpoint", n.endpoint}});
  j["nodes"] = std::move(nodes);
  auto owner = ordered::array();
  for (auto o : map.owner)
    owner.push_back(o == no_owner ? ordered(nullptr) : ordered(o));
  j["owner"] = std::move(owner);
  return dump(j);
}

std::optional<node_heartbeat> decode_heartbeat(std::string_view text, std::string* error) {
  auto j = parse_object(text, error);
  if (!j)
    return std::nullopt;
  reader r{error};
  node_heartbeat hb;
  std::string state;
  std::string drain;
  const bool fields_ok =
    r.string(*j, "id", hb.id) && r.string(*j, "incarnation", hb.incarnation)
    && r.string(*j, "endpoint", hb.endpoint) && r.strings(*j, "roles", hb.roles)
    && r.i64(*j, "startedMs", hb.started_ms) && r.i64(*j, "sentMs", hb.sent_ms)
    && r.string(*j, "state", state) && r.boolean(*j, "leader", hb.leader)
    && r.u64(*j, "leaderEpoch", hb.leader_epoch) && r.u64(*j, "mapVersion", hb.map_version)
    && r.unsigned_numbers(*j, "shards", std::numeric_limits<std::uint32_t>::max(), hb.shards)
    && r.unsigned_numbers(*j, "partitions", std::numeric_limits<std::int32_t>::max(), hb.partitions)
    && r.string(*j, "version", hb.version) && r.string(*j, "drain", drain);
  if (!fields_ok)
    return std::nullopt;
  if (hb.id.empty()) {
    r.fail("id", "empty");
    return std::nullopt;
  }
  auto s = parse_node_state(state);
  if (!s) {
    r.fail("state", "expected \"up\" or \"left\"");
    return std::nullopt;
  }
  hb.state = *s;
  auto d = parse_drain_stage(drain);
  if (!d) {
    r.fail("drain", R"(expected "", "at_end", "flushed" or "committed")");
    return std::nullopt;
  }
  hb.drain = *d;
  const auto* links = r.array(*j, "links");
  if (links == nullptr)
    return std::nullopt;
  for (const auto& l : *links) {
    if (!l.is_object()) {
      r.fail("links", "expected an array of objects");
      return std::nullopt;
    }
    link_stats x;
    if (!(r.string(l, "peer", x.peer) && r.u64(l, "inFlight", x.in_flight)
          && r.u64(l, "sent", x.sent) && r.u64(l, "bytes", x.bytes)))
      return std::nullopt;
    hb.links.push_back(std::move(x));
  }
  return hb;
}

std::optional<shard_map> decode_shard_map(std::string_view text, std::string* error) {
  auto j = parse_object(text, error);
  if (!j)
    return std::nullopt;
  reader r{error};
  shard_map map;
  if (!(r.u64(*j, "version", map.version) && r.string(*j, "leader", map.leader)
        && r.u64(*j, "leaderEpoch", map.leader_epoch) && r.i64(*j, "madeMs", map.made_ms)))
    return std::nullopt;
  const auto* nodes = r.array(*j, "nodes");
  if (nodes == nullptr)
    return std::nullopt;
  std::set<std::string> ids;
  for (const auto& n : *nodes) {
    if (!n.is_object()) {
      r.fail("nodes", "expected an array of objects");
      return std::nullopt;
    }
    map_node x;
    if (!(r.string(n, "id", x.id) && r.string(n, "incarnation", x.incarnation)
          && r.string(n, "endpoint", x.endpoint)))
      return std::nullopt;
    if (!ids.insert(x.id).second) {
      r.fail("nodes", "node " + x.id + " twice");
      return std::nullopt;
    }
    map.nodes.push_back(std::move(x));
  }
  const auto* owner = r.array(*j, "owner");
  if (owner == nullptr)
    return std::nullopt;
  for (const auto& o : *owner) {
    if (o.is_null()) {
      map.owner.push_back(no_owner);
      continue;
    }
    if (!o.is_number_unsigned()) {
      r.fail("owner", "expected node indexes or null");
      return std::nullopt;
    }
    const auto x = o.get<std::uint64_t>();
    if (x >= map.nodes.size()) {
      r.fail("owner", "index " + std::to_string(x) + " beyond the "
                        + std::to_string(map.nodes.size()) + " nodes");
      return std::nullopt;
    }
    map.owner.push_back(static_cast<std::uint32_t>(x));
  }
  return map;
}

std::string heartbeat_key(std::string_view node_id) {
  std::string key{heartbeat_key_prefix};
  key += node_id;
  return key;
}

std::string shard_map_key() {
  return "shardmap";
}

control_key classify_control_key(std::string_view key) {
  if (key == "shardmap")
    return {control_key_kind::shard_map, {}};
  if (key.size() > heartbeat_key_prefix.size()
      && key.substr(0, heartbeat_key_prefix.size()) == heartbeat_key_prefix)
    return {control_key_kind::heartbeat, std::string{key.substr(heartbeat_key_prefix.size())}};
  return {};
}

}  // namespace txstream
