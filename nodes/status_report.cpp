#include "nodes/status_report.hpp"

#include <algorithm>
#include <sstream>

#include <nlohmann/json.hpp>

#include "messages/incarnation.hpp"

namespace txstream {

namespace {

using ordered = nlohmann::ordered_json;

// Rows of cells printed as left-aligned columns two spaces apart.
class table {
public:
  explicit table(std::vector<std::string> header) {
    rows_.push_back(std::move(header));
  }

  void add(std::vector<std::string> row) {
    rows_.push_back(std::move(row));
  }

  std::string str() const {
    std::vector<std::size_t> width;
    for (const auto& row : rows_)
      for (std::size_t i = 0; i < row.size(); ++i) {
        if (width.size() <= i)
          width.push_back(0);
        width[i] = std::max(width[i], row[i].size());
      }
    std::string out;
    for (const auto& row : rows_) {
      std::string line;
      for (std::size_t i = 0; i < row.size(); ++i) {
        line += row[i];
        if (i + 1 < row.size())
          line.append(width[i] - row[i].size() + 2, ' ');
      }
      out += line + "\n";
    }
    return out;
  }

private:
  std::vector<std::vector<std::string>> rows_;
};

std::string count_of(std::size_t n, const char* what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

std::string joined(const std::vector<std::string>& items, const char* sep = ",") {
  std::string out;
  for (const auto& x : items)
    out += (out.empty() ? "" : sep) + x;
  return out.empty() ? "-" : out;
}

template <class T>
std::string joined_numbers(const std::vector<T>& items) {
  std::vector<std::string> text;
  for (auto x : items)
    text.push_back(std::to_string(x));
  return joined(text);
}

// The live nodes whose heartbeat lists input partition p.
std::vector<std::string> consumers_of(const cluster_status& s, std::int32_t p) {
  std::vector<std::string> out;
  for (const auto& n : s.nodes) {
    const auto& parts = n.heartbeat.partitions;
    if (n.live && std::find(parts.begin(), parts.end(), p) != parts.end())
      out.push_back(n.heartbeat.id);
  }
  return out;
}

// The shards the map gives node index i.
std::vector<std::uint32_t> shards_in_map(const shard_map& m, std::uint32_t i) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t s = 0; s < m.shards(); ++s)
    if (m.owner[s] == i)
      out.push_back(s);
  return out;
}

std::string with_count(const std::vector<std::uint32_t>& shards) {
  if (shards.empty())
    return "-";
  return format_ranges(shards) + " (" + std::to_string(shards.size()) + ")";
}

std::string no_leader_reason(const cluster_status& s) {
  if (s.nodes.empty())
    return "no leader: " + s.settings.control_topic
           + " holds no heartbeat (no node has run with this control topic)";
  // A claimant that is not live says most: the leader stopped or stalled.
  const node_status* stale = nullptr;
  for (const auto& n : s.nodes) {
    const auto& hb = n.heartbeat;
    if (hb.leader && (stale == nullptr || hb.leader_epoch > stale->heartbeat.leader_epoch))
      stale = &n;
  }
  const auto timeout = std::to_string(s.settings.node_timeout_ms);
  if (stale != nullptr) {
    const auto& hb = stale->heartbeat;
    const auto who = hb.id + " (epoch " + std::to_string(hb.leader_epoch) + ")";
    if (hb.state == node_state::left)
      return "no leader: " + who + " was the leader and left";
    return "no leader: " + who + " claimed leadership, but its last heartbeat is "
           + std::to_string(stale->age_ms) + " ms old (--node-timeout-ms " + timeout + ")";
  }
  std::size_t live = 0;
  for (const auto& n : s.nodes)
    live += n.live ? 1 : 0;
  if (live == 0)
    return "no leader: no node is live (" + count_of(s.nodes.size(), "node")
           + " known, none up with a heartbeat younger than " + timeout + " ms)";
  return "no leader: no live node claims leadership (" + count_of(live, "node") + " live)";
}

}  // namespace

void control_snapshot::add(std::string_view key, std::string_view value) {
  ++records;
  auto unreadable_record = [&](const std::string& why) {
    ++unreadable;
    if (first_problem.empty())
      first_problem = "key '" + std::string{key} + "': " + why;
  };
  const auto k = classify_control_key(key);
  switch (k.kind) {
    case control_key_kind::heartbeat: {
      if (value.empty()) {
        heartbeats.erase(k.node_id);
        return;
      }
      std::string error;
      auto hb = decode_heartbeat(value, &error);
      if (!hb)
        return unreadable_record(error);
      if (hb->id != k.node_id)
        return unreadable_record("heartbeat of node '" + hb->id + "' under another node's key");
      auto it = heartbeats.find(hb->id);
      if (it == heartbeats.end())
        heartbeats.emplace(hb->id, std::move(*hb));
      else if (compare_incarnations(hb->incarnation, it->second.incarnation) >= 0)
        it->second = std::move(*hb);
      return;
    }
    case control_key_kind::shard_map: {
      if (value.empty()) {
        map.reset();
        return;
      }
      std::string error;
      auto m = decode_shard_map(value, &error);
      if (!m)
        return unreadable_record(error);
      map = std::move(*m);
      return;
    }
    case control_key_kind::unknown: break;
  }
  unreadable_record("not a control record key");
}

std::int64_t input_partition::lag() const noexcept {
  return std::max<std::int64_t>(0, end - (committed >= 0 ? committed : low));
}

std::string_view node_status::status() const noexcept {
  if (heartbeat.state == node_state::left)
    return "left";
  return live ? "live" : "silent";
}

cluster_status summarize(const control_snapshot& snap, const status_settings& settings,
                         std::int64_t now_ms, std::optional<std::vector<input_partition>> input,
                         std::string input_error) {
  cluster_status s;
  s.settings = settings;
  s.now_ms = now_ms;
  s.records = snap.records;
  s.unreadable = snap.unreadable;
  s.first_problem = snap.first_problem;
  s.map = snap.map;
  s.input = std::move(input);
  s.input_error = std::move(input_error);
  const node_status* leader = nullptr;
  for (const auto& [id, hb] : snap.heartbeats) {
    node_status n;
    n.heartbeat = hb;
    n.age_ms = now_ms - hb.sent_ms;
    n.live = hb.state == node_state::up && n.age_ms < settings.node_timeout_ms;
    s.nodes.push_back(std::move(n));
  }
  for (const auto& n : s.nodes) {
    if (!n.live || !n.heartbeat.leader)
      continue;
    s.claimants.push_back(n.heartbeat.id);
    if (leader == nullptr || n.heartbeat.leader_epoch > leader->heartbeat.leader_epoch)
      leader = &n;
  }
  if (leader != nullptr) {
    s.leader = leader->heartbeat.id;
    s.leader_epoch = leader->heartbeat.leader_epoch;
  } else {
    s.no_leader_reason = no_leader_reason(s);
  }
  return s;
}

std::string format_ranges(std::vector<std::uint32_t> values) {
  if (values.empty())
    return "-";
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  std::string out;
  for (std::size_t i = 0; i < values.size();) {
    std::size_t j = i;
    while (j + 1 < values.size() && values[j + 1] == values[j] + 1)
      ++j;
    if (!out.empty())
      out += ",";
    out += std::to_string(values[i]);
    if (j > i)
      out += "-" + std::to_string(values[j]);
    i = j + 1;
  }
  return out;
}

std::string format_text(const cluster_status& s) {
  std::ostringstream out;
  out << "control topic " << s.settings.control_topic << ": " << count_of(s.records, "record")
      << ", " << count_of(s.nodes.size(), "node") << ", "
      << (s.map ? "shard map version " + std::to_string(s.map->version) : "no shard map") << "\n";
  if (s.unreadable > 0)
    out << "warning: " << s.unreadable << " records are not control records we can read ("
        << s.first_problem << ")\n";
  if (!s.nodes.empty()) {
    out << "\n";
    table nodes{{"NODE", "STATUS", "LEADER", "HEARTBEAT_AGE_MS", "ENDPOINT", "ROLES", "VERSION",
                 "MAP", "SHARDS", "PARTITIONS", "DRAIN", "INCARNATION"}};
    for (const auto& n : s.nodes) {
      const auto& hb = n.heartbeat;
      nodes.add(
        {hb.id, std::string{n.status()},
         hb.leader ? "epoch " + std::to_string(hb.leader_epoch) : "-", std::to_string(n.age_ms),
         hb.endpoint, joined(hb.roles), hb.version, std::to_string(hb.map_version),
         with_count(hb.shards), joined_numbers(hb.partitions),
         hb.drain == drain_stage::none ? "-" : std::string{to_string(hb.drain)}, hb.incarnation});
    }
    out << nodes.str();
  }
  bool any_link = false;
  table links{{"LINK", "IN_FLIGHT", "SENT", "BYTES"}};
  for (const auto& n : s.nodes)
    for (const auto& l : n.heartbeat.links) {
      any_link = true;
      links.add({n.heartbeat.id + " -> " + l.peer, std::to_string(l.in_flight),
                 std::to_string(l.sent), std::to_string(l.bytes)});
    }
  if (any_link)
    out << "\n" << links.str();
  out << "\n";
  if (s.map) {
    const auto& m = *s.map;
    out << "shard map version " << m.version << " by " << m.leader << " (epoch " << m.leader_epoch
        << "), made " << (s.now_ms - m.made_ms) << " ms ago: " << count_of(m.shards(), "shard")
        << " on " << count_of(m.nodes.size(), "node") << "\n";
    table owners{{"NODE", "INCARNATION", "ENDPOINT", "SHARDS"}};
    for (std::uint32_t i = 0; i < m.nodes.size(); ++i)
      owners.add({m.nodes[i].id, m.nodes[i].incarnation, m.nodes[i].endpoint,
                  with_count(shards_in_map(m, i))});
    const auto unowned = shards_in_map(m, no_owner);
    if (!unowned.empty())
      owners.add({"(none)", "", "", with_count(unowned)});
    out << owners.str();
  } else {
    out << "no shard map\n";
  }
  out << "\n";
  if (!s.input_error.empty()) {
    out << "input " << s.settings.input_topic << ": positions unknown (" << s.input_error << ")\n";
  } else if (!s.input) {
    out << "input " << s.settings.input_topic << " does not exist\n";
  } else {
    std::int64_t total = 0;
    table parts{{"PARTITION", "CONSUMER", "COMMITTED", "END", "LAG"}};
    for (const auto& p : *s.input) {
      total += p.lag();
      parts.add({std::to_string(p.partition), joined(consumers_of(s, p.partition)),
                 p.committed >= 0 ? std::to_string(p.committed) : "-", std::to_string(p.end),
                 std::to_string(p.lag())});
    }
    out << "input " << s.settings.input_topic << ", group " << s.settings.group << ": lag " << total
        << "\n"
        << parts.str();
  }
  out << "\n";
  if (s.claimants.size() > 1)
    out << "warning: " << s.claimants.size()
        << " live nodes claim leadership: " << joined(s.claimants, ", ") << "\n";
  if (s.leader)
    out << "leader: " << *s.leader << " (epoch " << s.leader_epoch << ")\n";
  else
    out << s.no_leader_reason << "\n";
  return out.str();
}

std::string format_json(const cluster_status& s) {
  ordered j;
  j["ok"] = s.ok();
  j["leader"] = s.leader ? ordered{{"id", *s.leader}, {"leaderEpoch", s.leader_epoch}}
                         : ordered(nullptr);
  j["reason"] = s.no_leader_reason;
  j["claimants"] = s.claimants;
  j["controlTopic"] = s.settings.control_topic;
  j["nowMs"] = s.now_ms;
  j["nodeTimeoutMs"] = s.settings.node_timeout_ms;
  j["records"] = s.records;
  j["unreadable"] = s.unreadable;
  auto nodes = ordered::array();
  for (const auto& n : s.nodes) {
    const auto& hb = n.heartbeat;
    auto links = ordered::array();
    for (const auto& l : hb.links)
      links.push_back(
        ordered{{"peer", l.peer}, {"inFlight", l.in_flight}, {"sent", l.sent}, {"bytes", l.bytes}});
    nodes.push_back(ordered{{"id", hb.id},
                            {"incarnation", hb.incarnation},
                            {"endpoint", hb.endpoint},
                            {"roles", hb.roles},
                            {"state", to_string(hb.state)},
                            {"status", n.status()},
                            {"live", n.live},
                            {"leader", hb.leader},
                            {"leaderEpoch", hb.leader_epoch},
                            {"heartbeat_age_ms", n.age_ms},
                            {"sentMs", hb.sent_ms},
                            {"startedMs", hb.started_ms},
                            {"version", hb.version},
                            {"mapVersion", hb.map_version},
                            {"shards", hb.shards},
                            {"partitions", hb.partitions},
                            {"drain", to_string(hb.drain)},
                            {"links", std::move(links)}});
  }
  j["nodes"] = std::move(nodes);
  if (s.map) {
    const auto& m = *s.map;
    auto owners = ordered::array();
    for (std::uint32_t i = 0; i < m.nodes.size(); ++i)
      owners.push_back(ordered{{"id", m.nodes[i].id},
                               {"incarnation", m.nodes[i].incarnation},
                               {"endpoint", m.nodes[i].endpoint},
                               {"shards", shards_in_map(m, i)}});
    j["shardMap"] = ordered{{"version", m.version},
                            {"leader", m.leader},
                            {"leaderEpoch", m.leader_epoch},
                            {"madeMs", m.made_ms},
                            {"shards", m.shards()},
                            {"nodes", std::move(owners)},
                            {"unowned", shards_in_map(m, no_owner)}};
  } else {
    j["shardMap"] = nullptr;
  }
  j["input"] = ordered{{"topic", s.settings.input_topic},
                       {"group", s.settings.group},
                       {"exists", s.input.has_value()},
                       {"error", s.input_error}};
  auto parts = ordered::array();
  if (s.input)
    for (const auto& p : *s.input) {
      const auto committed = p.committed >= 0 ? ordered(p.committed) : ordered(nullptr);
      parts.push_back(ordered{{"partition", p.partition},
                              {"consumers", consumers_of(s, p.partition)},
                              {"committed", committed},
                              {"end", p.end},
                              {"lag", p.lag()}});
    }
  j["partitions"] = std::move(parts);
  return j.dump(-1, ' ', false, ordered::error_handler_t::replace);
}

}  // namespace txstream
