// Releases results in the order their steps began, whatever order the
// deliveries that gate them complete in.
#pragma once

#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

namespace txstream {

/// Steps get increasing ids; a step's payload (e.g. the acks it owes
/// upstream) is released only when it and every earlier step are done. Acks
/// must not overtake outputs of earlier steps, or an offset could be
/// committed before everything derived from the records below it is safe.
template <class Payload>
class ordered_release {
public:
  /// Starts a step; returns its id.
  std::uint64_t begin(Payload payload) {
    steps_.push_back({next_id_, false, std::move(payload)});
    return next_id_++;
  }

  /// Marks step `id` done; appends every payload now releasable to `out`.
  void done(std::uint64_t id, std::vector<Payload>& out) {
    for (auto& s : steps_)
      if (s.id == id)
        s.done = true;
    while (!steps_.empty() && steps_.front().done) {
      out.push_back(std::move(steps_.front().payload));
      steps_.pop_front();
    }
  }

  std::size_t pending() const noexcept {
    return steps_.size();
  }

private:
  struct step {
    std::uint64_t id;
    bool done;
    Payload payload;
  };
  std::uint64_t next_id_ = 1;
  std::deque<step> steps_;
};

}  // namespace txstream
