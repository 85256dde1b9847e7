// A node's incarnation: which start of a node process, and which pipeline
// of that process, a heartbeat or a shard-map entry speaks for
// (docs/cluster.md, "Control topic records").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace txstream {

/// An incarnation as numbers: the process's start (wall clock, epoch ms)
/// and the generation of its pipeline (0 for the first, +1 per restart).
struct incarnation_parts {
  std::int64_t process_started_ms = 0;
  std::uint32_t generation = 0;
};

/// "<process_started_ms>-<generation>", zero-padded to 13 and 6 digits
/// ("1700000000000-000002"), so that well-formed incarnations of this
/// century also sort as plain strings. A process that restarts gets a later
/// start time; a pipeline restart within a process a higher generation.
std::string make_incarnation(std::int64_t process_started_ms, std::uint32_t generation);

/// The numbers of a well-formed incarnation (decimal digits, a '-',
/// decimal digits, each in range; any width), or nullopt.
std::optional<incarnation_parts> parse_incarnation(std::string_view text);

/// <0, 0 or >0 as `a` is older than, the same as or newer than `b`.
/// Well-formed incarnations compare by (process_started_ms, generation), so
/// the padding does not matter; a malformed one is older than any
/// well-formed one; two malformed ones, or two spellings of the same
/// numbers, compare as byte strings. So 0 means equal text, and the order
/// is total and the same on every platform. It trusts the nodes' clocks to
/// move forward between two starts of a process.
int compare_incarnations(std::string_view a, std::string_view b);

}  // namespace txstream
