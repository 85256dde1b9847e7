// A string that keeps up to 47 bytes inline: ids such as the 36-character
// transactionId fit without a heap allocation (std::string's inline buffer
// holds 15). Longer values still work, on the heap.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
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
  compact_string(const compact_string& other) {
    assign(other.view());
  }
  compact_string& operator=(const compact_string& other) {
    if (this != &other)
      assign(other.view());
    return *this;
  }
  compact_string(compact_string&& other) noexcept {
    take(other);
  }
  compact_string& operator=(compact_string&& other) noexcept {
    if (this != &other)
      take(other);
    return *this;
  }
  compact_string& operator=(std::string_view s) {
    assign(s);
    return *this;
  }

  void assign(std::string_view s) {
    if (s.size() <= inline_capacity) {
      std::memcpy(inline_, s.data(), s.size());
      size_ = static_cast<std::uint8_t>(s.size());
      long_.reset();
    } else {
      long_ = std::make_unique<std::string>(s);
      size_ = on_heap;
    }
  }

  std::string_view view() const noexcept {
    return size_ == on_heap ? std::string_view{*long_} : std::string_view{inline_, size_};
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
  friend bool operator==(const compact_string& a, std::string_view b) {
    return a.view() == b;
  }
  friend bool operator==(std::string_view a, const compact_string& b) {
    return a == b.view();
  }
  friend bool operator!=(const compact_string& a, const compact_string& b) {
    return !(a == b);
  }
  friend bool operator!=(const compact_string& a, std::string_view b) {
    return !(a == b);
  }

private:
  static constexpr std::uint8_t on_heap = 0xff;

  // Leaves `other` empty.
  void take(compact_string& other) noexcept {
    std::memcpy(inline_, other.inline_, inline_capacity);
    size_ = other.size_;
    long_ = std::move(other.long_);
    other.size_ = 0;
  }

  char inline_[inline_capacity] = {};
  std::uint8_t size_ = 0;
  // Only for values longer than inline_capacity; a pointer keeps the common
  // case small (56 bytes in all).
  std::unique_ptr<std::string> long_;
};

}  // namespace txstream
