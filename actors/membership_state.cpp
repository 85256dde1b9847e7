#include "actors/membership_state.hpp"

#include <algorithm>
#include <stdexcept>

#include "messages/incarnation.hpp"

namespace txstream {

membership_state::membership_state(std::int64_t node_timeout_ms)
  : node_timeout_ms_(node_timeout_ms) {
  if (node_timeout_ms <= 0)
    throw std::invalid_argument("membership_state: node_timeout_ms must be > 0");
}

membership_state::heartbeat_outcome membership_state::on_heartbeat(const node_heartbeat& hb,
                                                                   std::int64_t received_ms) {
  auto it = members_.find(hb.id);
  if (it == members_.end()) {
    members_.emplace(hb.id, member{hb, received_ms, std::nullopt});
    return heartbeat_outcome::new_incarnation;
  }
  auto& m = it->second;
  const int order = compare_incarnations(hb.incarnation, m.heartbeat.incarnation);
  if (order > 0) {
    m = member{hb, received_ms, std::nullopt};
    return heartbeat_outcome::new_incarnation;
  }
  if (order < 0 || m.heartbeat.state == node_state::left || hb.sent_ms < m.heartbeat.sent_ms)
    return heartbeat_outcome::ignored;
  m.heartbeat = hb;
  m.received_ms = std::max(m.received_ms, received_ms);
  return heartbeat_outcome::refreshed;
}

bool membership_state::on_unreachable(const std::string& id, const std::string& incarnation,
                                      std::int64_t now_ms) {
  auto it = members_.find(id);
  if (it == members_.end() || it->second.heartbeat.incarnation != incarnation)
    return false;
  if (!it->second.unreachable_since_ms)
    it->second.unreachable_since_ms = now_ms;
  return true;
}

bool membership_state::on_reachable(const std::string& id, const std::string& incarnation) {
  auto it = members_.find(id);
  if (it == members_.end() || it->second.heartbeat.incarnation != incarnation
      || !it->second.unreachable_since_ms)
    return false;
  it->second.unreachable_since_ms.reset();
  return true;
}

membership_state::member_status membership_state::status(const member& m,
                                                         std::int64_t now_ms) const {
  if (m.heartbeat.state == node_state::left)
    return member_status::left;
  if (m.unreachable_since_ms && now_ms - *m.unreachable_since_ms >= node_timeout_ms_)
    return member_status::unreachable;
  if (now_ms - m.received_ms >= node_timeout_ms_)
    return member_status::silent;
  return member_status::live;
}

bool membership_state::is_live(const std::string& id, std::int64_t now_ms) const {
  auto it = members_.find(id);
  return it != members_.end() && status(it->second, now_ms) == member_status::live;
}

std::vector<node_heartbeat> membership_state::live(std::int64_t now_ms) const {
  std::vector<node_heartbeat> out;
  for (const auto& [id, m] : members_)
    if (status(m, now_ms) == member_status::live)
      out.push_back(m.heartbeat);
  return out;
}

std::vector<map_node> membership_state::aggregate_nodes(std::int64_t now_ms) const {
  std::vector<map_node> out;
  for (const auto& [id, m] : members_)
    if (status(m, now_ms) == member_status::live && m.heartbeat.has_role(aggregate_role))
      out.push_back(map_node{m.heartbeat.id, m.heartbeat.incarnation, m.heartbeat.endpoint});
  return out;
}

std::optional<std::int64_t> membership_state::next_expiry(std::int64_t now_ms) const {
  std::optional<std::int64_t> next;
  for (const auto& [id, m] : members_) {
    if (status(m, now_ms) != member_status::live)
      continue;
    auto ends = m.received_ms + node_timeout_ms_;
    if (m.unreachable_since_ms)
      ends = std::min(ends, *m.unreachable_since_ms + node_timeout_ms_);
    if (!next || ends < *next)
      next = ends;
  }
  return next;
}

}  // namespace txstream
