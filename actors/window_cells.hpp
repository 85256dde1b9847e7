// The merchant x currency cells of one open window of an aggregator shard.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <absl/container/flat_hash_map.h>

namespace txstream {

/// Cells by series id. Sparse (a hash index into a packed vector) while few
/// of the shard's series are present, dense (indexed by series id: one
/// memory access per record, the aggregator's hottest path) once at least
/// an eighth of them are. Dense from the start, a window of a slow stream
/// with thousands of series and a few records cost a cell for every series;
/// with partitions far apart in event time hundreds of windows are open at
/// once, and that alone took over half a gigabyte.
class window_cells {
public:
  struct cell {
    std::int64_t count = 0;
    std::int64_t purchase = 0;
    std::int64_t refund = 0;
    std::int64_t min = 0;
    std::int64_t max = 0;
  };

  /// The cell of series `sid` (of `series` known ones); `fresh` tells
  /// whether it was absent (it is then empty and listed in present()).
  cell& at(std::uint32_t sid, std::size_t series, bool& fresh) {
    if (dense_) {
      if (sid >= cells_.size())
        cells_.resize(std::max<std::size_t>(sid + 1, series));
      auto& c = cells_[sid];
      fresh = c.count == 0;
      if (fresh)
        present_.push_back(sid);
      return c;
    }
    auto [it, added] = index_.try_emplace(sid, static_cast<std::uint32_t>(cells_.size()));
    fresh = added;
    if (!added)
      return cells_[it->second];
    cells_.emplace_back();
    present_.push_back(sid);
    if (present_.size() >= min_dense_series && present_.size() * 8 >= series) {
      densify(series);
      return cells_[sid];
    }
    return cells_.back();
  }

  /// The cell of a present series.
  const cell& get(std::uint32_t sid) const {
    return dense_ ? cells_[sid] : cells_[index_.at(sid)];
  }

  /// Series ids of the cells in use, in the order they appeared.
  const std::vector<std::uint32_t>& present() const noexcept {
    return present_;
  }

  /// Brings what at(sid) will touch into the cache.
  void prefetch(std::uint32_t sid) const {
    if (dense_) {
      if (sid < cells_.size())
        __builtin_prefetch(&cells_[sid], 1);
    } else {
      index_.prefetch(sid);
    }
  }

  bool dense() const noexcept {
    return dense_;
  }

  /// Bytes held, about.
  std::size_t bytes() const noexcept {
    return cells_.capacity() * sizeof(cell) + present_.capacity() * sizeof(std::uint32_t)
           + index_.capacity() * (sizeof(std::uint32_t) * 2 + 1);
  }

private:
  /// Below this many present series a window stays sparse: a dense vector
  /// would save nothing worth its size.
  static constexpr std::size_t min_dense_series = 64;

  void densify(std::size_t series) {
    std::vector<cell> by_sid(series);
    for (std::size_t i = 0; i < present_.size(); ++i)
      by_sid[present_[i]] = cells_[i];
    cells_.swap(by_sid);
    index_ = {};
    dense_ = true;
  }

  std::vector<cell> cells_;  // dense: by series id; sparse: packed
  std::vector<std::uint32_t> present_;
  absl::flat_hash_map<std::uint32_t, std::uint32_t> index_;  // sparse: sid -> cell
  bool dense_ = false;
};

}  // namespace txstream
