// A string that keeps up to 47 bytes inline: ids such as the 36-character
// transactionId fit without a heap allocation (std::string's inline buffer
// holds 15). Longer values still work, on the heap.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace txstream {

class compact_string {
public:
  static constexpr std::size_t inline_capacity = 47;

  compact_string() noexcept = default;
  compact_string(std::string_view s) {  // NOLINT: implicit by design
    assign(s);
  }
  compact_string& operator=(std::string_view s) {
    assign(s);
    return *this;
  }

  void assign(std::string_view s) {
    if (s.size() <= inline_capacity) {
      std::memcpy(inline_, s.data(), s.size());
      size_ = static_cast<std::uint8_t>(s.size());
      long_.clear();
    } else {
      long_.assign(s);
      size_ = on_heap;
    }
  }

  std::string_view view() const noexcept {
    return size_ == on_heap ? std::string_view{long_}
                            : std::string_view{inline_, size_};
  }
  operator std::string_view() const noexcept {  // NOLINT
    return view();
  }
  std::string str() const {
    return std::string{view()};
  }
  std::size_t size() const noexcept {
    return view().size();
  }
  bool empty() const noexcept {
    return size() == 0;
  }

  friend bool operator==(const compact_string& a, const compact_string& b) {
    return a.view() == b.view();
  }

private:
  static constexpr std::uint8_t on_heap = 0xff;
  char inline_[inline_capacity] = {};
  std::uint8_t size_ = 0;
  std::string long_;  // only for values longer than inline_capacity
};

} // namespace txstream
