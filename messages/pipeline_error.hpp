// txstream's own error codes (CAF error category "txstream"): what a
// supervisor needs to know about why a pipeline ended.
#pragma once

#include <cstdint>
#include <string>

#include <caf/atom.hpp>
#include <caf/error.hpp>

namespace txstream {

enum class pipeline_errc : std::uint8_t {
  /// The node may no longer write output: its lease on its place in the
  /// cluster ran out (it was frozen or cut off from Kafka longer than the
  /// node timeout). Not the pipeline's fault: restart without counting.
  lease_expired = 1,
  /// A node of the cluster the pipeline routes to went away. Not this
  /// node's fault: wait for the next shard map without counting.
  peer_lost,
  /// Nothing a restart can fix (e.g. a setting the broker refuses): the
  /// node ends at once instead of using up its restart budget.
  fatal,
};

inline constexpr caf::atom_value pipeline_error_category = caf::atom("txstream");

inline caf::error make_error(pipeline_errc code, std::string why) {
  return caf::error{static_cast<std::uint8_t>(code), pipeline_error_category,
                    caf::make_message(std::move(why))};
}

/// Whether `e` is txstream's `code`.
inline bool is(const caf::error& e, pipeline_errc code) {
  return e.category() == pipeline_error_category && e.code() == static_cast<std::uint8_t>(code);
}

/// Failures the supervisor counts against its restart budget: everything
/// but a lost lease or peer (fatal ones end the node).
inline bool counts_as_failure(const caf::error& e) {
  return e && !is(e, pipeline_errc::lease_expired) && !is(e, pipeline_errc::peer_lost);
}

}  // namespace txstream
